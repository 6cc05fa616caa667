package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flatminima/flatminima/sgdk/stability"
)

// The tests of this file run the command: in process through realMain, or
// as a separate process, the test binary itself re-executed with
// REPRODUCE_TEST_MAIN=1 (TestMain then runs the command with the tiny Monte
// Carlo sizes of the other tests), or the program built with go build.

const helperEnv = "REPRODUCE_TEST_MAIN"

// killAfterEnv makes the re-executed command send itself a signal (killSigEnv:
// "KILL" or "TERM") after that many cells are checkpointed.
const (
	killAfterEnv = "REPRODUCE_TEST_KILL_AFTER"
	killSigEnv   = "REPRODUCE_TEST_KILL_SIGNAL"
)

func TestMain(m *testing.M) {
	newEnv = func(log io.Writer) *Env {
		// The Monte Carlo sizes of tinyEnv.
		return &Env{Log: log, start: time.Now(), samples: 40, replicates: 2}
	}
	if os.Getenv(helperEnv) == "1" {
		beyondSize = beyondSizes{iters: 20, grid: 3, gridRuns: 2, lyapReplicates: 2, lyapSteps: 60, lyapBurn: 10}
		modelsSize = modelsTinySizes
		if n, err := strconv.Atoi(os.Getenv(killAfterEnv)); err == nil {
			sig := syscall.SIGKILL
			if os.Getenv(killSigEnv) == "TERM" {
				sig = syscall.SIGTERM
			}
			testCellHook = func(logged int) {
				if logged == n {
					syscall.Kill(os.Getpid(), sig)
					time.Sleep(time.Minute) // the signal ends the process
				}
			}
		}
		os.Exit(realMain(os.Args[1:], os.Getenv, os.Stderr))
	}
	os.Exit(m.Run())
}

// cliRun runs the command in process with the environment env.
func cliRun(env map[string]string, args ...string) (string, int) {
	var stderr bytes.Buffer
	code := realMain(args, func(k string) string { return env[k] }, &stderr)
	return stderr.String(), code
}

// proc runs the command as a separate process (the re-executed test
// binary) with the extra environment env.
func proc(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), helperEnv+"=1"), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	return stderr.String(), err
}

// outputs returns the files of dir (not manifest.json) and their contents.
func outputs(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, ent := range ents {
		if ent.Name() == manifestName {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, ent.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[ent.Name()] = b
	}
	return out
}

// sameOutputs fails t unless dirs a and b hold the same files with the same
// bytes, manifest.json aside.
func sameOutputs(t *testing.T, a, b string) {
	t.Helper()
	fa, fb := outputs(t, a), outputs(t, b)
	var na, nb []string
	for n := range fa {
		na = append(na, n)
	}
	for n := range fb {
		nb = append(nb, n)
	}
	sort.Strings(na)
	sort.Strings(nb)
	if !slices.Equal(na, nb) {
		t.Fatalf("%s has %v, %s has %v", a, na, b, nb)
	}
	for _, n := range na {
		if !bytes.Equal(fa[n], fb[n]) {
			t.Errorf("%s differs between %s and %s", n, a, b)
		}
	}
}

func loadManifest(t *testing.T, dir string) manifest {
	t.Helper()
	m, err := readManifest(filepath.Join(dir, manifestName))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// checkManifest fails t unless dir's manifest is complete and lists
// exactly the files of dir (manifest.json and others aside) with their
// SHA-256.
func checkManifest(t *testing.T, dir string, others ...string) {
	t.Helper()
	m := loadManifest(t, dir)
	if m.Status != statusComplete {
		t.Fatalf("%s: manifest status %q", dir, m.Status)
	}
	files := outputs(t, dir)
	for _, n := range others {
		delete(files, n)
	}
	if len(m.Files) != len(files) {
		t.Errorf("%s: manifest lists %d files, the folder has %d", dir, len(m.Files), len(files))
	}
	for _, f := range m.Files {
		b, ok := files[f.Name]
		if !ok {
			t.Errorf("%s: manifest lists %s, absent", dir, f.Name)
			continue
		}
		if got := fmt.Sprintf("%x", sha256Sum(b)); got != f.SHA256 || int64(len(b)) != f.Size {
			t.Errorf("%s: %s has SHA-256 %s and %d bytes, the manifest %s and %d", dir, f.Name, got, len(b), f.SHA256, f.Size)
		}
	}
	if m.Version == "" || m.Flags["runs"] == "" || m.Program != "reproduce" {
		t.Errorf("%s: manifest %+v", dir, m)
	}
}

func TestShardMergeAllSections(t *testing.T) {
	// The default section set, single run against 3 shards run as separate
	// processes with a Slurm job array's variables (task ids 10–12), merged:
	// every output byte-identical, manifest aside.
	if testing.Short() {
		t.Skip("runs every section four times")
	}
	root := t.TempDir()
	flags := []string{"-runs", "2", "-iters", "5", "-seed", "5"}
	single := filepath.Join(root, "single")
	// The single run and the shards run at the same time.
	type result struct {
		msg string
		err error
	}
	results := make([]chan result, 4)
	var dirs []string
	for i := range results {
		results[i] = make(chan result, 1)
		dir, env, args := single, []string(nil), append(flags, "-out", single)
		if i < 3 {
			dir = filepath.Join(root, fmt.Sprintf("shard%d", i))
			env = []string{"SLURM_ARRAY_TASK_ID=" + strconv.Itoa(10+i), "SLURM_ARRAY_TASK_MIN=10", "SLURM_ARRAY_TASK_COUNT=3"}
			args = append(slices.Clone(flags), "-out", dir, "-shard", "auto")
			dirs = append(dirs, dir)
		}
		go func() {
			msg, err := proc(t, env, args...)
			results[i] <- result{msg, err}
		}()
	}
	for i, ch := range results {
		r := <-ch
		if r.err != nil {
			t.Fatalf("run %d: %v\n%s", i, r.err, r.msg)
		}
	}
	checkManifest(t, single)
	for i, dir := range dirs {
		checkManifest(t, dir)
		m := loadManifest(t, dir)
		if m.Shard == nil || *m.Shard != (shardSpec{i, 3}) {
			t.Fatalf("shard %d: manifest shard %v", i, m.Shard)
		}
		if got := outputs(t, dir); len(got) != 1 || got[cellsName] == nil {
			t.Errorf("shard %d wrote more than %s", i, cellsName)
		}
	}
	merged := filepath.Join(root, "merged")
	// Shards in any order.
	if msg, err := proc(t, nil, "-merge", "-out", merged, dirs[2], dirs[0], dirs[1]); err != nil {
		t.Fatalf("merge: %v\n%s", err, msg)
	}
	checkManifest(t, merged)
	sameOutputs(t, single, merged)
	if m := loadManifest(t, merged); m.Flags["seed"] != "5" || len(m.MergedFrom) != 3 {
		t.Errorf("merged manifest flags %v, merged from %v", m.Flags, m.MergedFrom)
	}
}

func TestShardMergeBuiltBinary(t *testing.T) {
	// The program built with go build: 2 shards of Section 4 with the Slurm
	// variables set, merged, against a single run.
	if testing.Short() {
		t.Skip("builds the program")
	}
	root := t.TempDir()
	bin := filepath.Join(root, "reproduce")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	run := func(env []string, args ...string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	flags := []string{"-runs", "2", "-iters", "5", "-only", "section4"}
	single := filepath.Join(root, "single")
	run(nil, append(flags, "-out", single)...)
	var args []string
	for i := range 2 {
		dir := filepath.Join(root, fmt.Sprintf("shard%d", i))
		run([]string{"SLURM_ARRAY_TASK_ID=" + strconv.Itoa(i), "SLURM_ARRAY_TASK_MIN=0", "SLURM_ARRAY_TASK_COUNT=2"},
			append(flags, "-out", dir, "-shard", "auto")...)
		args = append(args, dir)
	}
	merged := filepath.Join(root, "merged")
	run(nil, append([]string{"-merge", "-out", merged}, args...)...)
	sameOutputs(t, single, merged)
	checkManifest(t, merged)
}

func TestKilledRunAndResume(t *testing.T) {
	// A run killed (SIGKILL) after 70 of the 256 cells of Section 4 leaves
	// the manifest "incomplete"; -resume with other flags is refused; -resume
	// continues from the 70 checkpointed cells and writes the bytes of an
	// uninterrupted run.
	if testing.Short() {
		t.Skip("runs Section 4 three times")
	}
	root := t.TempDir()
	flags := []string{"-runs", "2", "-iters", "5", "-only", "section4"}
	whole := filepath.Join(root, "whole")
	if msg, err := proc(t, nil, append(flags, "-out", whole)...); err != nil {
		t.Fatalf("%v\n%s", err, msg)
	}
	dir := filepath.Join(root, "resumed")
	_, err := proc(t, []string{killAfterEnv + "=70", killSigEnv + "=KILL"}, append(flags, "-out", dir)...)
	ws, ok := exitStatus(err)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the run was not killed: %v", err)
	}
	if m := loadManifest(t, dir); m.Status != statusIncomplete {
		t.Fatalf("after a kill the manifest says %q", m.Status)
	}
	if _, err := os.Stat(filepath.Join(dir, checkpointName)); err != nil {
		t.Fatalf("no checkpoint: %v", err)
	}
	// Other flags: refused, naming the flag.
	msg, code := cliRun(nil, "-runs", "3", "-iters", "5", "-only", "section4", "-out", dir, "-resume")
	if code == 0 || !strings.Contains(msg, "-runs") {
		t.Fatalf("-resume with -runs 3: code %d, %s", code, msg)
	}
	msg, err = proc(t, nil, append(flags, "-out", dir, "-resume")...)
	if err != nil {
		t.Fatalf("%v\n%s", err, msg)
	}
	if !strings.Contains(msg, "resuming: 70 finished cells") {
		t.Errorf("the resumed run did not use the checkpoint:\n%s", msg)
	}
	checkManifest(t, dir)
	sameOutputs(t, whole, dir)
	if _, err := os.Stat(filepath.Join(dir, checkpointName)); err == nil {
		t.Error("the checkpoint is left after the run completed")
	}
}

func exitStatus(err error) (syscall.WaitStatus, bool) {
	ee, ok := err.(*exec.ExitError)
	if !ok {
		return 0, false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ws, ok
}

func TestInterruptedRunMarksIncomplete(t *testing.T) {
	// A complete Section 2 run, then a full run stopped by SIGTERM, then by
	// SIGKILL, in Section 4 (after the tables' outputs and Figure 3 were
	// written): the manifest says incomplete and lists the tables' outputs
	// and, as previous files, those of the Section 2 run not yet rewritten
	// (REPORT.md, unchanged); SIGTERM leaves no temporary file. A new
	// Section 2 run then removes the killed run's outputs and temporary
	// files and nothing else.
	if testing.Short() {
		t.Skip("runs the tables and Section 4")
	}
	dir := t.TempDir()
	if msg, code := cliRun(nil, "-runs", "2", "-iters", "5", "-only", "section2", "-out", dir); code != 0 {
		t.Fatal(msg)
	}
	before := outputs(t, dir)
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, sig := range []string{"TERM", "KILL"} {
		_, err := proc(t, []string{killAfterEnv + "=20", killSigEnv + "=" + sig}, "-runs", "2", "-iters", "5", "-out", dir)
		ws, ok := exitStatus(err)
		switch {
		case sig == "KILL" && !(ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL),
			sig == "TERM" && !(ok && ws.Exited() && ws.ExitStatus() == 143):
			t.Fatalf("SIG%s: %v", sig, err)
		}
		m := loadManifest(t, dir)
		var files []string
		for _, f := range m.Files {
			files = append(files, f.Name)
		}
		if m.Status != statusIncomplete || !slices.Contains(files, "tables.csv") || !slices.Contains(m.Previous, "REPORT.md") {
			t.Fatalf("SIG%s: manifest %s with files %v, previous %v", sig, m.Status, files, m.Previous)
		}
		if b := outputs(t, dir)["REPORT.md"]; !bytes.Equal(b, before["REPORT.md"]) {
			t.Errorf("SIG%s: REPORT.md, an output of the previous run that this one had not rewritten, changed", sig)
		}
		if sig == "TERM" {
			for n := range outputs(t, dir) {
				if strings.HasPrefix(n, tmpPrefix) {
					t.Errorf("SIGTERM left the temporary file %s", n)
				}
			}
		}
	}
	if msg, code := cliRun(nil, "-runs", "2", "-iters", "5", "-only", "section2", "-out", dir); code != 0 {
		t.Fatal(msg)
	}
	checkManifest(t, dir, "notes.txt")
	got := outputs(t, dir)
	for n := range got {
		if n != "notes.txt" && n != checkpointName && before[n] == nil {
			t.Errorf("%s is left over from the interrupted runs", n)
		}
	}
	if string(got["notes.txt"]) != "mine" {
		t.Error("notes.txt, a file of no run, was touched")
	}
}

func TestOutputsDoNotFollowSymlinks(t *testing.T) {
	// REPORT.md and manifest.json are symbolic links to files outside the
	// folder: the run replaces the links and leaves their targets alone. A
	// read-only summary.json is replaced too, and the folder is complete.
	dir, other := t.TempDir(), t.TempDir()
	for _, n := range []string{"REPORT.md", manifestName} {
		target := filepath.Join(other, n)
		if err := os.WriteFile(target, []byte("target"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(dir, n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.json"), []byte("old"), 0o444); err != nil {
		t.Fatal(err)
	}
	if msg, code := cliRun(nil, "-runs", "2", "-iters", "5", "-only", "section2", "-out", dir); code != 0 {
		t.Fatal(msg)
	}
	for _, n := range []string{"REPORT.md", manifestName} {
		if b, _ := os.ReadFile(filepath.Join(other, n)); string(b) != "target" {
			t.Errorf("the target of the link %s was written: %q", n, b)
		}
		if fi, err := os.Lstat(filepath.Join(dir, n)); err != nil || !fi.Mode().IsRegular() {
			t.Errorf("%s is not a regular file after the run: %v", n, err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "summary.json")); !bytes.HasPrefix(b, []byte("{")) {
		t.Errorf("the read-only summary.json was not replaced: %q", b)
	}
	checkManifest(t, dir)
}

func TestStaleOutputsRemoved(t *testing.T) {
	// Section 4, then Section 2 into the same folder: Section 4's figures
	// (listed by the previous manifest) are removed, a user's file is not.
	if testing.Short() {
		t.Skip("runs Section 4")
	}
	dir := t.TempDir()
	if msg, code := cliRun(nil, "-runs", "2", "-iters", "5", "-only", "section4", "-out", dir); code != 0 {
		t.Fatal(msg)
	}
	if err := os.WriteFile(filepath.Join(dir, "figure99.png"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if msg, code := cliRun(nil, "-runs", "2", "-iters", "5", "-only", "section2", "-out", dir); code != 0 {
		t.Fatal(msg)
	}
	got := outputs(t, dir)
	if got["figure5.png"] != nil || got["figure3.png"] == nil || string(got["figure99.png"]) != "mine" {
		var names []string
		for n := range got {
			names = append(names, n)
		}
		t.Errorf("files after the second run: %v", names)
	}
	checkManifest(t, dir, "figure99.png")
}

func TestCLIRefusals(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"tables"}, nil, "positional arguments are accepted only with -merge"},
		{[]string{"-only", "section2", "extra"}, nil, "positional"},
		{[]string{"-runs", "100000000"}, nil, "-maxmem"},
		{[]string{"-iters", "2000000000", "-only", "section2"}, nil, "-maxmem"},
		{[]string{"-shard", "auto"}, nil, "neither SLURM_ARRAY_TASK_ID"},
		{[]string{"-shard", "auto"}, map[string]string{"JOB_COMPLETION_INDEX": "1"}, "-shard auto/n"},
		{[]string{"-shard", "3/3"}, nil, "not below the count"},
		{[]string{"-shard", "x/3"}, nil, "-shard"},
		{[]string{"-merge"}, nil, "give the shard folders"},
		{[]string{"-merge", "-shard", "0/2", dir}, nil, "neither -shard nor -resume"},
		{[]string{"-merge", dir}, nil, "manifest.json"},
	} {
		out := filepath.Join(t.TempDir(), "out")
		msg, code := cliRun(tc.env, append([]string{"-out", out}, tc.args...)...)
		if code == 0 || !strings.Contains(msg, tc.want) {
			t.Errorf("%v: code %d, message %q; want one containing %q", tc.args, code, msg, tc.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%v: the refused run created -out", tc.args)
		}
	}
	// The memory refusal gives the estimate.
	msg, _ := cliRun(nil, "-runs", "100000000", "-out", filepath.Join(dir, "x"))
	if !strings.Contains(msg, "TiB") {
		t.Errorf("no estimate in %q", msg)
	}
}

func TestMergeRefusals(t *testing.T) {
	// Shards of Section 2 (one cell) with 2 shards: a merge refuses a missing
	// shard, a repeated one, one with another seed, an incomplete one, a
	// cells.bin that does not match its manifest, flags that differ from the
	// shards', and -out naming a shard folder.
	root := t.TempDir()
	shard := func(name, spec string, extra ...string) string {
		dir := filepath.Join(root, name)
		args := append([]string{"-runs", "2", "-iters", "5", "-only", "section2", "-out", dir, "-shard", spec}, extra...)
		if msg, code := cliRun(nil, args...); code != 0 {
			t.Fatal(msg)
		}
		return dir
	}
	s0, s1 := shard("s0", "0/2"), shard("s1", "1/2")
	s1seed := shard("s1seed", "1/2", "-seed", "9")
	s1inc := shard("s1inc", "1/2")
	s1bad := shard("s1bad", "1/2")
	m := loadManifest(t, s1inc)
	m.Status = statusIncomplete
	b, _ := m.encode()
	if err := os.WriteFile(filepath.Join(s1inc, manifestName), b, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(s1bad, cellsName), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{0})
	f.Close()
	out := filepath.Join(root, "merged")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{s0}, "shard 1 of 2 is missing"},
		{[]string{s0, s0}, "are both shard 0/2"},
		{[]string{s0, s1seed}, "-seed"},
		{[]string{s0, s1inc}, "incomplete"},
		{[]string{s0, s1bad}, "SHA-256"},
		{[]string{"-runs", "3", s0, s1}, "-runs 3 differs"},
	} {
		msg, code := cliRun(nil, append([]string{"-merge", "-out", out}, tc.args...)...)
		if code == 0 || !strings.Contains(msg, tc.want) {
			t.Errorf("%v: code %d, message %q; want one containing %q", tc.args, code, msg, tc.want)
		}
	}
	msg, code := cliRun(nil, "-merge", "-out", s0, s0, s1)
	if code == 0 || !strings.Contains(msg, "is one of the shard folders") {
		t.Errorf("-out a shard folder: code %d, %q", code, msg)
	}
	// The right shards merge, and give the single run's outputs.
	if msg, code := cliRun(nil, "-merge", "-out", out, s1, s0); code != 0 {
		t.Fatal(msg)
	}
	single := filepath.Join(root, "single")
	if msg, code := cliRun(nil, "-runs", "2", "-iters", "5", "-only", "section2", "-out", single); code != 0 {
		t.Fatal(msg)
	}
	sameOutputs(t, single, out)
}

func TestParseShard(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	slurm := env("SLURM_ARRAY_TASK_ID", "7", "SLURM_ARRAY_TASK_MIN", "5", "SLURM_ARRAY_TASK_COUNT", "4")
	for _, tc := range []struct {
		v    string
		env  func(string) string
		want *shardSpec
	}{
		{"", slurm, nil}, // no flag: not sharded, even in a job array
		{"", env("JOB_COMPLETION_INDEX", "2"), nil},
		{"1/3", slurm, &shardSpec{1, 3}},
		{"auto", slurm, &shardSpec{2, 4}},
		{"auto/4", slurm, &shardSpec{2, 4}},
		{"auto/5", env("JOB_COMPLETION_INDEX", "3"), &shardSpec{3, 5}},
		{"auto", env("SLURM_ARRAY_TASK_ID", "6", "SLURM_ARRAY_TASK_MIN", "0", "SLURM_ARRAY_TASK_COUNT", "4", "SLURM_ARRAY_TASK_STEP", "2"), &shardSpec{3, 4}},
	} {
		got, err := parseShard(tc.v, tc.env)
		if err != nil || (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
			t.Errorf("parseShard(%q) = %v, %v; want %v", tc.v, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		v    string
		env  func(string) string
		want string
	}{
		{"auto/3", slurm, "SLURM_ARRAY_TASK_COUNT=4"},
		{"auto/5", env("JOB_COMPLETION_INDEX", "5"), "not below"},
		{"auto", env("SLURM_ARRAY_TASK_ID", "1"), "SLURM_ARRAY_TASK_MIN"},
		{"auto", env("SLURM_ARRAY_TASK_ID", "x", "SLURM_ARRAY_TASK_MIN", "0", "SLURM_ARRAY_TASK_COUNT", "2"), "SLURM_ARRAY_TASK_ID=\"x\""},
		{"2", env(), "index/count"},
		{"0/0", env(), "count"},
		{"-1/2", env(), "index"},
	} {
		if _, err := parseShard(tc.v, tc.env); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseShard(%q): %v, want an error containing %q", tc.v, err, tc.want)
		}
	}
	// The n shards partition the groups.
	for n := 1; n <= 5; n++ {
		for g := range 40 {
			owners := 0
			for i := range n {
				if (shardSpec{i, n}).owns(g) {
					owners++
				}
			}
			if owners != 1 {
				t.Fatalf("group %d has %d owners among %d shards", g, owners, n)
			}
		}
	}
}

func TestCellsLogTornRecord(t *testing.T) {
	// A cells file cut anywhere inside its last record keeps the records
	// before it: the cut record fails its length or CRC check.
	dir := t.TempDir()
	h := cellsHeader{Version: "v", Flags: map[string]string{"runs": "2"}}
	c, err := openCheckpoint(dir, h, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range []string{"first", "second value"} {
		if err := c.append(fmt.Sprint("k", i), []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	c.closeLog()
	path := filepath.Join(dir, checkpointName)
	full, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	last := 4 + 2 + 8 + len("second value") + 4
	for cut := 0; cut <= last; cut++ {
		if err := os.WriteFile(path, full[:len(full)-cut], 0o644); err != nil {
			t.Fatal(err)
		}
		f, _ := os.Open(path)
		_, refs, _, _, err := indexCells(f)
		want := 2
		if cut > 0 {
			want = 1
		}
		if err != nil || len(refs) != want {
			t.Errorf("cut %d bytes: %d records, %v; want %d", cut, len(refs), err, want)
		} else if b, _ := refs["k0"].read(); string(b) != "first" {
			t.Errorf("cut %d: k0 = %q", cut, b)
		}
		f.Close()
	}
	// A flipped byte in the last value fails the CRC.
	bad := slices.Clone(full)
	bad[len(bad)-6] ^= 1
	os.WriteFile(path, bad, 0o644)
	f, _ := os.Open(path)
	defer f.Close()
	if _, refs, _, _, err := indexCells(f); err != nil || len(refs) != 1 {
		t.Errorf("corrupt record: %d records, %v", len(refs), err)
	}
}

func TestMemoryEstimate(t *testing.T) {
	// The estimate grows linearly in runs and in iters+1 and does not
	// overflow; the defaults are within the budget.
	all := []string{"tables", "section2", "section4", "beyond", "section5"}
	if err := checkMemory(100, 20, all, defaultMaxMem); err != nil {
		t.Errorf("the default run is refused: %v", err)
	}
	a, b := memoryEstimate(1000, 20, all), memoryEstimate(2000, 20, all)
	base := memoryEstimate(0, 20, all)
	if d1, d2 := a-base, b-base; d2 != 2*d1 {
		t.Errorf("not linear in runs: %v, %v", d1, d2)
	}
	if e := memoryEstimate(1<<62, 1<<62, all); !(e > 1e30) {
		t.Errorf("huge flags give %v", e)
	}
}

func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

// BenchmarkCellCheckpoint measures what a cell of the default run pays for
// its checkpoint: encoding a result of 100 runs × 21 iterates (two distance
// rows and one energy row per run) and appending it to the log.
func BenchmarkCellCheckpoint(b *testing.B) {
	dir := b.TempDir()
	e := &Env{Out: dir}
	c, err := openCheckpoint(dir, cellsHeader{Version: "v"}, false, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.closeLog()
	e.store = c
	rows := func() [][]float64 {
		r := make([][]float64, 100)
		for i := range r {
			r[i] = make([]float64, 21)
			for j := range r[i] {
				r[i][j] = float64(i*j) + 0.5
			}
		}
		return r
	}
	res := &stability.CellResult{Distances: [][][]float64{rows(), rows()}, Energy: rows(), Touched: make([]int, 100), Left: make([]int, 100)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		key := strconv.Itoa(i)
		if _, _, err := cellUnit(e, key, key, func() (*stability.CellResult, error) { return res, nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOutputWrite measures an atomic 64 KiB output: temporary file,
// SHA-256, sync, rename and the manifest rewritten.
func BenchmarkOutputWrite(b *testing.B) {
	dir := b.TempDir()
	d, err := openOutDir(dir, manifest{Program: "reproduce"})
	if err != nil {
		b.Fatal(err)
	}
	data := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := d.Write("out.csv", func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
			b.Fatal(err)
		}
	}
}
