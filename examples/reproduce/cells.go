package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"

	"github.com/flatminima/flatminima/sgdk/stability"
)

// The results of the cells of a run (each cell of an experiment grid, each
// probe of the "beyond" section) pass through a cellStore. It appends every
// computed result to a checkpoint log in the output folder (from which
// -resume continues), runs only its own cells under -shard, and serves the
// results from shard folders under -merge. Everything that is not per cell
// (geometry, tables, figures, REPORT.md) is recomputed from them, so the
// outputs depend only on the cells' results.

// checkpointName is the checkpoint log in the output folder, removed when
// the run completes.
const checkpointName = ".reproduce-checkpoint"

// cellsName is a shard's output: its cells' results.
const cellsName = "cells.bin"

// cellsMagic starts a cells file (the checkpoint log or a shard's cells.bin).
const cellsMagic = "reproduce cells v1\n"

// cellsHeader is the first record of a cells file.
type cellsHeader struct {
	Version string            `json:"version"`
	Flags   map[string]string `json:"flags"`
	Shard   *shardSpec        `json:"shard,omitempty"`
	// Groups (cells.bin only) are every group the shard met, in order.
	Groups []string `json:"groups,omitempty"`
}

const headerKey = "#header"

// cellRef locates a record's value in a cells file.
type cellRef struct {
	file *os.File
	off  int64
	n    int64
}

func (r cellRef) read() ([]byte, error) {
	b := make([]byte, r.n)
	_, err := r.file.ReadAt(b, r.off)
	return b, err
}

// writeRecord appends one record: key length (4 bytes, big endian), key,
// value length (8 bytes), value, CRC-32 (IEEE) of key and value.
func writeRecord(w io.Writer, key string, val []byte) error {
	b := make([]byte, 0, 16+len(key)+len(val))
	b = binary.BigEndian.AppendUint32(b, uint32(len(key)))
	b = append(b, key...)
	b = binary.BigEndian.AppendUint64(b, uint64(len(val)))
	b = append(b, val...)
	crc := crc32.NewIEEE()
	crc.Write([]byte(key))
	crc.Write(val)
	b = binary.BigEndian.AppendUint32(b, crc.Sum32())
	_, err := w.Write(b)
	return err
}

// indexCells reads the records of a cells file and returns the header, the
// location of every value and the offset after the last intact record (a
// killed writer can leave a torn record, which is ignored).
func indexCells(f *os.File) (h cellsHeader, refs map[string]cellRef, order []string, end int64, err error) {
	fi, err := f.Stat()
	if err != nil {
		return h, nil, nil, 0, err
	}
	size := fi.Size()
	r := bufio.NewReader(io.NewSectionReader(f, 0, size))
	magic := make([]byte, len(cellsMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != cellsMagic {
		return h, nil, nil, 0, fmt.Errorf("%s is not a cells file of this program", f.Name())
	}
	off := int64(len(cellsMagic))
	refs = map[string]cellRef{}
	first := true
	for {
		var kl [4]byte
		if _, err := io.ReadFull(r, kl[:]); err != nil {
			break
		}
		klen := int64(binary.BigEndian.Uint32(kl[:]))
		if off+4+klen+8 > size {
			break
		}
		key := make([]byte, klen)
		if _, err := io.ReadFull(r, key); err != nil {
			break
		}
		var vl [8]byte
		if _, err := io.ReadFull(r, vl[:]); err != nil {
			break
		}
		vlen := binary.BigEndian.Uint64(vl[:])
		valOff := off + 4 + klen + 8
		if vlen > uint64(size-valOff) || valOff+int64(vlen)+4 > size {
			break
		}
		crc := crc32.NewIEEE()
		crc.Write(key)
		var val []byte
		if first {
			val = make([]byte, vlen)
			if _, err := io.ReadFull(r, val); err != nil {
				break
			}
			crc.Write(val)
		} else if _, err := io.CopyN(crc, r, int64(vlen)); err != nil {
			break
		}
		var sum [4]byte
		if _, err := io.ReadFull(r, sum[:]); err != nil || binary.BigEndian.Uint32(sum[:]) != crc.Sum32() {
			break
		}
		if first {
			if string(key) != headerKey {
				return h, nil, nil, 0, fmt.Errorf("%s: no header", f.Name())
			}
			if err := json.Unmarshal(val, &h); err != nil {
				return h, nil, nil, 0, fmt.Errorf("%s: header: %w", f.Name(), err)
			}
			first = false
		} else {
			if _, dup := refs[string(key)]; !dup {
				order = append(order, string(key))
			}
			refs[string(key)] = cellRef{file: f, off: valOff, n: int64(vlen)}
		}
		off = valOff + int64(vlen) + 4
	}
	if first {
		return h, nil, nil, 0, fmt.Errorf("%s: no header", f.Name())
	}
	return h, refs, order, off, nil
}

// testCellHook, set only by tests, is called with the number of results in
// the checkpoint log after each one is appended (to interrupt a run at a
// known point).
var testCellHook func(logged int)

// cellStore routes the results of cells; see cellUnit.
type cellStore struct {
	header cellsHeader
	shard  *shardSpec

	log    *os.File           // checkpoint log (nil under -merge)
	logW   *bufio.Writer      // buffered appends to log
	old    map[string]cellRef // results of the interrupted run (-resume)
	logged map[string]cellRef // results in the log, for the shard's cells.bin
	order  []string           // logged keys in order

	merge *mergeSource // -merge

	groups   []string
	groupIdx map[string]int
	keys     map[string]bool
}

// openCheckpoint starts the checkpoint log in dir: a new one, or with
// resume the log of the interrupted run, whose flags must equal h's.
func openCheckpoint(dir string, h cellsHeader, resume bool, shard *shardSpec) (*cellStore, error) {
	c := &cellStore{header: h, shard: shard, old: map[string]cellRef{}, logged: map[string]cellRef{},
		groupIdx: map[string]int{}, keys: map[string]bool{}}
	path := filepath.Join(dir, checkpointName)
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		if fi.IsDir() {
			return nil, fmt.Errorf("%s is a folder", path)
		}
		os.Remove(path) // a symbolic link: replaced, not followed
	}
	if resume {
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		switch {
		case errors.Is(err, os.ErrNotExist):
			// Nothing to resume: a fresh run.
		case err != nil:
			return nil, fmt.Errorf("-resume: %w", err)
		default:
			old, refs, order, end, err := indexCells(f)
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("-resume: %w", err)
			}
			if old.Version != h.Version {
				f.Close()
				return nil, fmt.Errorf("-resume: the interrupted run was made by version %s, this is %s", old.Version, h.Version)
			}
			if d := flagMismatch(h.Flags, old.Flags); d != "" {
				f.Close()
				return nil, fmt.Errorf("-resume: the flags differ from the interrupted run's: %s (it ran with %s)", d, flagString(old.Flags))
			}
			if (old.Shard == nil) != (shard == nil) || shard != nil && *old.Shard != *shard {
				f.Close()
				return nil, fmt.Errorf("-resume: -shard %v differs from the interrupted run's %v", shard, old.Shard)
			}
			if err := f.Truncate(end); err != nil {
				f.Close()
				return nil, fmt.Errorf("-resume: %w", err)
			}
			if _, err := f.Seek(end, io.SeekStart); err != nil {
				f.Close()
				return nil, fmt.Errorf("-resume: %w", err)
			}
			c.log, c.old = f, refs
			for _, k := range order {
				c.logged[k] = refs[k]
			}
			c.order = order
			c.logW = bufio.NewWriterSize(f, 1<<16)
			return c, nil
		}
	}
	os.Remove(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	hb, err := json.Marshal(h)
	if err != nil {
		f.Close()
		return nil, err
	}
	c.log, c.logW = f, bufio.NewWriterSize(f, 1<<16)
	if _, err := c.logW.WriteString(cellsMagic); err != nil {
		c.closeLog()
		return nil, err
	}
	if err := writeRecord(c.logW, headerKey, hb); err != nil {
		c.closeLog()
		return nil, err
	}
	return c, c.logW.Flush()
}

// closeLog closes the checkpoint log, keeping it (for -resume).
func (c *cellStore) closeLog() {
	if c == nil || c.log == nil {
		return
	}
	c.logW.Flush()
	c.log.Close()
	c.log = nil
}

// removeLog closes and deletes the checkpoint log (the run completed).
func (c *cellStore) removeLog(dir string) error {
	if c == nil || c.log == nil {
		return nil
	}
	c.closeLog()
	return os.Remove(filepath.Join(dir, checkpointName))
}

// cellUnit returns the result of the cell key, which belongs to group: a
// checkpointed result (-resume), a shard's (-merge), or compute's, which is
// then appended to the checkpoint log. Under -shard, ok is false for a
// cell of another shard; the caller skips it (its outputs are not written
// by a shard). Keys must be unique within a run; cells whose inputs depend
// on another cell's result must share its group.
func cellUnit[T any](e *Env, group, key string, compute func() (T, error)) (v T, ok bool, err error) {
	c := e.store
	if c == nil {
		v, err = compute()
		return v, err == nil, err
	}
	if c.keys[key] {
		return v, false, fmt.Errorf("cell %q is computed twice", key)
	}
	c.keys[key] = true
	g, seen := c.groupIdx[group]
	if !seen {
		g = len(c.groups)
		c.groups = append(c.groups, group)
		c.groupIdx[group] = g
	}
	decode := func(b []byte) (T, error) {
		var v T
		err := gob.NewDecoder(bytes.NewReader(b)).Decode(&v)
		return v, err
	}
	if c.merge != nil {
		b, err := c.merge.value(g, key)
		if err != nil {
			return v, false, err
		}
		v, err = decode(b)
		if err != nil {
			return v, false, fmt.Errorf("cell %q: %w", key, err)
		}
		return v, true, nil
	}
	if c.shard != nil && !c.shard.owns(g) {
		return v, false, nil
	}
	if ref, found := c.old[key]; found {
		b, err := ref.read()
		if err == nil {
			if v, err = decode(b); err == nil {
				return v, true, nil
			}
		}
		// An unreadable checkpoint: compute the cell again.
	}
	v, err = compute()
	if err != nil {
		return v, false, err
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return v, false, fmt.Errorf("cell %q: %w", key, err)
	}
	if err := c.append(key, buf.Bytes()); err != nil {
		return v, false, fmt.Errorf("checkpoint: %w", err)
	}
	if testCellHook != nil {
		testCellHook(len(c.order))
	}
	return v, true, nil
}

// append writes a record to the checkpoint log and flushes it (so a killed
// run keeps every finished cell).
func (c *cellStore) append(key string, val []byte) error {
	off, err := c.log.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	off += int64(c.logW.Buffered())
	if err := writeRecord(c.logW, key, val); err != nil {
		return err
	}
	if err := c.logW.Flush(); err != nil {
		return err
	}
	if _, dup := c.logged[key]; !dup {
		c.order = append(c.order, key)
	}
	c.logged[key] = cellRef{file: c.log, off: off + 4 + int64(len(key)) + 8, n: int64(len(val))}
	return nil
}

// writeShardCells writes a shard's cells.bin: a header with every group
// met, in order, then the results of its cells.
func (c *cellStore) writeShardCells(e *Env) error {
	if err := c.logW.Flush(); err != nil {
		return err
	}
	h := c.header
	h.Groups = c.groups
	hb, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return e.out.Write(cellsName, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<16)
		if _, err := bw.WriteString(cellsMagic); err != nil {
			return err
		}
		if err := writeRecord(bw, headerKey, hb); err != nil {
			return err
		}
		for _, k := range c.order {
			if !c.keys[k] {
				continue // a checkpoint the resumed run did not meet
			}
			b, err := c.logged[k].read()
			if err != nil {
				return err
			}
			if err := writeRecord(bw, k, b); err != nil {
				return err
			}
		}
		return bw.Flush()
	})
}

// runGrid runs the cells of g like g.Run, each cell through cellUnit under
// the key name/index (its own group): under -shard only this shard's cells
// are run and visited.
func (e *Env) runGrid(name string, g *stability.Grid, visit func(stability.GridCell, *stability.CellResult) error) error {
	cells, err := g.Cells()
	if err != nil {
		return err
	}
	for _, gc := range cells {
		key := fmt.Sprintf("%s/%d", name, gc.Index)
		res, ok, err := cellUnit(e, key, key, func() (*stability.CellResult, error) { return stability.RunCell(g.Cell(gc), g.Workers) })
		if err != nil {
			return fmt.Errorf("grid cell %d (%s, k = %d, radius %v, rate %s = %v): %w",
				gc.Index, g.Sites[gc.Site].Name, gc.BatchSize, gc.Radius, gc.Rate.Label, gc.Rate.Value, err)
		}
		if !ok {
			continue
		}
		if err := visit(gc, res); err != nil {
			return err
		}
	}
	return nil
}

// beyondGroup is the cell group of case ci of the "beyond" section: its
// comparison and the probes of its phase diagram, whose learning rates
// depend on the comparison.
func beyondGroup(ci int) string { return fmt.Sprintf("beyond/%d", ci) }
