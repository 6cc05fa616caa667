package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// mergeSource serves the cells of complete shard folders to a -merge.
type mergeSource struct {
	dirs   []string // by shard index
	shards []shardData
}

type shardData struct {
	dir    string
	groups []string
	refs   map[string]cellRef
	used   map[string]bool
	file   *os.File
}

// openShards checks the shard folders of a -merge and indexes their cells:
// every folder complete, made by the same version with the same result
// flags, cells.bin matching its manifest's SHA-256, and the shards
// 0, …, n−1 each given once. It returns the shards' flags.
func openShards(dirs []string) (*mergeSource, map[string]string, string, error) {
	if len(dirs) == 0 {
		return nil, nil, "", fmt.Errorf("-merge: give the shard folders as arguments")
	}
	var flags map[string]string
	var version string
	var count int
	byIndex := map[int]shardData{}
	fail := func(err error) (*mergeSource, map[string]string, string, error) {
		for _, s := range byIndex {
			s.file.Close()
		}
		return nil, nil, "", err
	}
	for _, dir := range dirs {
		path := filepath.Join(dir, manifestName)
		m, err := readManifest(path)
		if err != nil {
			return fail(fmt.Errorf("-merge: shard folder %s: %w", dir, err))
		}
		if m.Status != statusComplete {
			return fail(fmt.Errorf("-merge: shard folder %s is %s (its run did not finish; rerun it with -resume)", dir, m.Status))
		}
		if m.Shard == nil {
			return fail(fmt.Errorf("-merge: %s is not a shard folder (its run had no -shard)", dir))
		}
		if flags == nil {
			flags, version, count = m.Flags, m.Version, m.Shard.Count
		}
		if d := flagMismatch(m.Flags, flags); d != "" {
			return fail(fmt.Errorf("-merge: shard folder %s was run with other flags than %s: %s", dir, dirs[0], d))
		}
		if m.Version != version {
			return fail(fmt.Errorf("-merge: shard folder %s was made by version %s, %s by %s", dir, m.Version, dirs[0], version))
		}
		if m.Shard.Count != count {
			return fail(fmt.Errorf("-merge: shard folder %s is shard %v, %s one of %d", dir, *m.Shard, dirs[0], count))
		}
		if prev, dup := byIndex[m.Shard.Index]; dup {
			return fail(fmt.Errorf("-merge: %s and %s are both shard %v", prev.dir, dir, *m.Shard))
		}
		var want *fileEntry
		for i := range m.Files {
			if m.Files[i].Name == cellsName {
				want = &m.Files[i]
			}
		}
		if want == nil {
			return fail(fmt.Errorf("-merge: the manifest of %s lists no %s", dir, cellsName))
		}
		cp := filepath.Join(dir, cellsName)
		f, err := os.Open(cp)
		if err != nil {
			return fail(fmt.Errorf("-merge: %w", err))
		}
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			f.Close()
			return fail(fmt.Errorf("-merge: %w", err))
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != want.SHA256 {
			f.Close()
			return fail(fmt.Errorf("-merge: %s has SHA-256 %s, its manifest says %s", cp, got, want.SHA256))
		}
		hd, refs, _, _, err := indexCells(f)
		if err != nil {
			f.Close()
			return fail(fmt.Errorf("-merge: %w", err))
		}
		if hd.Shard == nil || *hd.Shard != *m.Shard || hd.Version != m.Version || flagMismatch(hd.Flags, m.Flags) != "" {
			f.Close()
			return fail(fmt.Errorf("-merge: %s does not match its manifest", cp))
		}
		byIndex[m.Shard.Index] = shardData{dir: dir, groups: hd.Groups, refs: refs, used: map[string]bool{}, file: f}
	}
	src := &mergeSource{}
	for i := range count {
		s, ok := byIndex[i]
		if !ok {
			var missing []string
			for j := range count {
				if _, ok := byIndex[j]; !ok {
					missing = append(missing, strconv.Itoa(j))
				}
			}
			return fail(fmt.Errorf("-merge: shard %d of %d is missing (missing: %v; give every shard folder)", i, count, missing))
		}
		src.dirs = append(src.dirs, s.dir)
		src.shards = append(src.shards, s)
	}
	return src, flags, version, nil
}

// value returns the result of the cell key of group position g, from the
// shard that ran it.
func (m *mergeSource) value(g int, key string) ([]byte, error) {
	s := &m.shards[g%len(m.shards)]
	ref, ok := s.refs[key]
	if !ok {
		return nil, fmt.Errorf("-merge: shard %d of %d (%s) has no result for cell %q", g%len(m.shards), len(m.shards), s.dir, key)
	}
	s.used[key] = true
	return ref.read()
}

// check verifies, after the merge has run every section, that every shard
// met the same groups in the same order and that every cell of every shard
// was used: otherwise the shards ran a different program.
func (m *mergeSource) check(groups []string) error {
	for i, s := range m.shards {
		if !slices.Equal(s.groups, groups) {
			return fmt.Errorf("-merge: shard %d (%s) met %d cell groups, the merge %d, or in another order", i, s.dir, len(s.groups), len(groups))
		}
		for k := range s.refs {
			if !s.used[k] {
				return fmt.Errorf("-merge: shard %d (%s) has a result for cell %q that the merge does not use", i, s.dir, k)
			}
		}
	}
	return nil
}

func (m *mergeSource) close() {
	for _, s := range m.shards {
		s.file.Close()
	}
}
