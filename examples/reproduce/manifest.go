package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"
	"sort"
	"strings"
)

// manifestName is the manifest of an output folder.
const manifestName = "manifest.json"

const (
	statusComplete   = "complete"
	statusIncomplete = "incomplete"
)

// manifest is manifest.json: what produced the folder and the SHA-256 of
// every output. Status is "incomplete" from before the first output is
// written until the last has been; an incomplete manifest lists the files
// written so far and, in previous_files, those of earlier runs that this
// run has not (yet) replaced.
type manifest struct {
	Status  string `json:"status"`
	Program string `json:"program"`
	// Version is the module version, else the VCS revision the program was
	// built from ("+dirty" with uncommitted changes), else "(devel)".
	Version string            `json:"version"`
	Flags   map[string]string `json:"flags"`
	Seed    uint64            `json:"seed"`
	// Shard is the cell set this folder holds (-shard), nil for a whole run.
	Shard *shardSpec `json:"shard,omitempty"`
	// MergedFrom are the shard folders a -merge combined.
	MergedFrom []string    `json:"merged_from,omitempty"`
	Files      []fileEntry `json:"files"`
	Previous   []string    `json:"previous_files,omitempty"`
}

// resultFlags are the flags the outputs depend on; shards, checkpoints and
// merges must agree on them (and on the version).
var resultFlags = []string{"iters", "only", "runs", "runs-csv", "seed"}

func (m manifest) encode() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", manifestName, err)
	}
	return append(b, '\n'), nil
}

func readManifest(path string) (manifest, error) {
	var m manifest
	b, err := os.ReadFile(path)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// buildVersion returns the module version of the program, else its VCS
// revision, else "(devel)".
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev string
	var dirty bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "(devel)"
	}
	if dirty {
		rev += "+dirty"
	}
	return rev
}

// flagMismatch compares the result flags of two flag sets and names the
// first that differs, "" when they agree.
func flagMismatch(a, b map[string]string) string {
	for _, name := range resultFlags {
		if a[name] != b[name] {
			return fmt.Sprintf("-%s %q against %q", name, a[name], b[name])
		}
	}
	return ""
}

// flagString formats the result flags for messages.
func flagString(f map[string]string) string {
	var parts []string
	names := append([]string(nil), resultFlags...)
	sort.Strings(names)
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("-%s=%q", n, f[n]))
	}
	return strings.Join(parts, " ")
}
