package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// tmpPrefix starts the name of every temporary file the program creates in
// an output folder; a run removes those a killed run left behind.
const tmpPrefix = ".reproduce-tmp-"

// outDir writes the outputs of one run into a folder. Every file is written
// to a temporary file in the folder and then renamed over its name, so a
// reader never sees a half-written output, and a symbolic link named like an
// output is replaced, never followed. The manifest (manifest.json) records
// the SHA-256 of every file written; it is marked "incomplete" before the
// first output and replaced by the complete one last (finish).
type outDir struct {
	dir string
	// discard makes Write and Create no-ops for every name not in keep (a
	// shard writes only its cells).
	discard bool
	keep    map[string]bool
	// noManifest: a folder written without manifest (a section run on its
	// own in a test).
	noManifest bool

	mu       sync.Mutex
	man      manifest
	written  map[string]fileEntry
	previous []string            // files the previous manifest listed
	temps    map[string]struct{} // temporary files being written
}

// fileEntry is a file of the manifest.
type fileEntry struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// openOutDir creates dir if needed, removes the temporary files a killed
// run left, reads the previous manifest and replaces it by man marked
// incomplete. Nothing is written to dir before that manifest.
func openOutDir(dir string, man manifest) (*outDir, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("-out %s: %w", dir, err)
	}
	d := &outDir{dir: dir, man: man, written: map[string]fileEntry{}, temps: map[string]struct{}{}}
	d.previous = previousFiles(dir)
	if ents, err := os.ReadDir(dir); err == nil {
		for _, ent := range ents {
			if strings.HasPrefix(ent.Name(), tmpPrefix) && ent.Type().IsRegular() {
				os.Remove(filepath.Join(dir, ent.Name()))
			}
		}
	}
	if err := d.writeManifest(false); err != nil {
		return nil, err
	}
	return d, nil
}

// previousFiles returns the outputs the manifest in dir lists (for an
// incomplete one, also those of the runs before it). A manifest that is
// not a regular file, or does not parse, lists nothing.
func previousFiles(dir string) []string {
	path := filepath.Join(dir, manifestName)
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	m, err := readManifest(path)
	if err != nil {
		return nil
	}
	var out []string
	for _, f := range m.Files {
		out = append(out, f.Name)
	}
	return append(out, m.Previous...)
}

// validName reports whether name is a plain file name in the folder.
func validName(name string) bool {
	return name != "" && name != "." && name != ".." && name != manifestName &&
		!strings.ContainsAny(name, `/\`) && !strings.HasPrefix(name, tmpPrefix)
}

// Write writes the output name with write, atomically: to a temporary file
// in the folder, synced, then renamed over name.
func (d *outDir) Write(name string, write func(io.Writer) error) error {
	f, err := d.Create(name)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Abort()
		return fmt.Errorf("%s: %w", name, err)
	}
	return f.Close()
}

// outFile is an output being written (see outDir.Create).
type outFile struct {
	d    *outDir
	name string
	f    *os.File // nil when discarded
	h    hashWriter
	err  error // the first write error: Close then removes the file
}

type hashWriter struct {
	n    int64
	hash hash.Hash
}

// Create starts the output name; Close makes it visible under its name,
// Abort removes it. Use Write when the output is produced in one call.
func (d *outDir) Create(name string) (*outFile, error) {
	if !validName(name) {
		return nil, fmt.Errorf("output name %q is not a plain file name", name)
	}
	o := &outFile{d: d, name: name}
	if d.discard && !d.keep[name] {
		return o, nil
	}
	f, err := os.CreateTemp(d.dir, tmpPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	d.mu.Lock()
	d.temps[f.Name()] = struct{}{}
	d.mu.Unlock()
	o.f = f
	o.h.hash = sha256.New()
	return o, nil
}

// Write implements io.Writer.
func (o *outFile) Write(p []byte) (int, error) {
	if o.f == nil {
		return len(p), nil
	}
	n, err := o.f.Write(p)
	o.h.hash.Write(p[:n])
	o.h.n += int64(n)
	if err != nil && o.err == nil {
		o.err = err
	}
	return n, err
}

// Abort removes the temporary file; name keeps its previous content.
func (o *outFile) Abort() {
	if o.f == nil {
		return
	}
	o.f.Close()
	os.Remove(o.f.Name())
	o.d.forget(o.f.Name())
	o.f = nil
}

// Close syncs the temporary file, renames it over name (replacing a file or
// a symbolic link of that name, whatever its permissions) and records it in
// the manifest, which is rewritten (still incomplete) so that a killed run
// leaves a list of what it wrote. After a failed Write, Close removes the
// temporary file instead and returns that error.
func (o *outFile) Close() error {
	if o.f == nil {
		return nil
	}
	if o.err != nil {
		o.Abort()
		return fmt.Errorf("%s: %w", o.name, o.err)
	}
	f := o.f
	o.f = nil
	tmp := f.Name()
	err := f.Chmod(0o644)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(o.d.dir, o.name))
	}
	if err != nil {
		os.Remove(tmp)
		o.d.forget(tmp)
		return fmt.Errorf("%s: %w", o.name, err)
	}
	o.d.forget(tmp)
	sum := o.h.hash.Sum(nil)
	d := o.d
	d.mu.Lock()
	d.written[o.name] = fileEntry{Name: o.name, Size: o.h.n, SHA256: hex.EncodeToString(sum)}
	d.mu.Unlock()
	return d.writeManifest(false)
}

func (d *outDir) forget(tmp string) {
	d.mu.Lock()
	delete(d.temps, tmp)
	d.mu.Unlock()
}

// removeTemps removes the temporary files being written (on a signal, before
// the program exits with the manifest incomplete).
func (d *outDir) removeTemps() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for t := range d.temps {
		os.Remove(t)
	}
}

// finish removes the files the previous manifest listed that this run did
// not write (nothing else) and writes the complete manifest, last.
func (d *outDir) finish() error {
	d.mu.Lock()
	var stale []string
	for _, name := range d.previous {
		if _, ok := d.written[name]; !ok && validName(name) {
			stale = append(stale, name)
		}
	}
	d.mu.Unlock()
	for _, name := range stale {
		path := filepath.Join(d.dir, name)
		fi, err := os.Lstat(path)
		if err != nil || fi.IsDir() {
			continue
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("removing %s, an output of the previous run: %w", name, err)
		}
	}
	d.mu.Lock()
	d.previous = nil
	d.mu.Unlock()
	return d.writeManifest(true)
}

// writeManifest writes the manifest atomically: complete, or incomplete
// with the files written so far and those of the previous runs.
func (d *outDir) writeManifest(complete bool) error {
	if d.noManifest {
		return nil
	}
	d.mu.Lock()
	m := d.man
	m.Status = statusIncomplete
	if complete {
		m.Status = statusComplete
	}
	m.Files = make([]fileEntry, 0, len(d.written))
	for _, f := range d.written {
		m.Files = append(m.Files, f)
	}
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Name < m.Files[j].Name })
	if !complete {
		seen := map[string]bool{}
		for _, name := range d.previous {
			if _, ok := d.written[name]; !ok && !seen[name] {
				seen[name] = true
				m.Previous = append(m.Previous, name)
			}
		}
		sort.Strings(m.Previous)
	}
	d.mu.Unlock()
	b, err := m.encode()
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(d.dir, tmpPrefix+"*")
	if err != nil {
		return fmt.Errorf("%s: %w", manifestName, err)
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(d.dir, manifestName))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("%s: %w", manifestName, err)
	}
	return nil
}
