package main

import (
	"fmt"
	"strconv"
	"strings"
)

// shardSpec selects cell set Index of Count: the cells whose group (a cell
// of an experiment grid, or one case of the "beyond" section with all its
// probes) has position g in the run's order with g mod Count = Index. The
// order is the same in every process with the same flags, so the sets of
// the Count shards partition the cells.
type shardSpec struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

func (s shardSpec) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// owns reports whether the shard runs the group at position g.
func (s shardSpec) owns(g int) bool { return s.Count == 0 || g%s.Count == s.Index }

// parseShard parses -shard: "i/n" (0 ≤ i < n), "auto" (a Slurm job array:
// index SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN, divided by
// SLURM_ARRAY_TASK_STEP when that is above 1, count SLURM_ARRAY_TASK_COUNT)
// or "auto/n" (count n; index from a Kubernetes Indexed Job's
// JOB_COMPLETION_INDEX, else from Slurm as for "auto"). An empty value is
// no sharding, whatever the environment.
func parseShard(v string, getenv func(string) string) (*shardSpec, error) {
	if v == "" {
		return nil, nil
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("-shard %q: %s", v, fmt.Sprintf(format, args...))
	}
	idx, cnt, hasCount := v, "", false
	if i := strings.IndexByte(v, '/'); i >= 0 {
		idx, cnt, hasCount = v[:i], v[i+1:], true
	}
	count := 0
	if hasCount {
		n, err := strconv.Atoi(cnt)
		if err != nil || n < 1 {
			return nil, bad("the count %q is not a positive integer", cnt)
		}
		count = n
	}
	envInt := func(name string) (int, bool, error) {
		s := getenv(name)
		if s == "" {
			return 0, false, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return 0, true, bad("%s=%q is not a nonnegative integer", name, s)
		}
		return n, true, nil
	}
	var index int
	if idx != "auto" {
		n, err := strconv.Atoi(idx)
		if err != nil || n < 0 {
			return nil, bad("the index %q is not a nonnegative integer (or \"auto\")", idx)
		}
		if !hasCount {
			return nil, bad("give index/count, e.g. 0/4, or auto")
		}
		index = n
	} else {
		k8s, inK8s, err := envInt("JOB_COMPLETION_INDEX")
		if err != nil {
			return nil, err
		}
		id, inSlurm, err := envInt("SLURM_ARRAY_TASK_ID")
		if err != nil {
			return nil, err
		}
		switch {
		case inK8s && hasCount:
			index = k8s
		case inSlurm:
			lo, okMin, err := envInt("SLURM_ARRAY_TASK_MIN")
			if err != nil {
				return nil, err
			}
			n, okCount, err := envInt("SLURM_ARRAY_TASK_COUNT")
			if err != nil {
				return nil, err
			}
			step, _, err := envInt("SLURM_ARRAY_TASK_STEP")
			if err != nil {
				return nil, err
			}
			if !okMin || !okCount {
				return nil, bad("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_MIN or SLURM_ARRAY_TASK_COUNT is not")
			}
			if id < lo {
				return nil, bad("SLURM_ARRAY_TASK_ID=%d is below SLURM_ARRAY_TASK_MIN=%d", id, lo)
			}
			index = id - lo
			if step > 1 && index%step == 0 {
				index /= step
			}
			if hasCount && count != n {
				return nil, bad("the count %d differs from SLURM_ARRAY_TASK_COUNT=%d", count, n)
			}
			count = n
		case inK8s:
			return nil, bad("in a Kubernetes Indexed Job (JOB_COMPLETION_INDEX=%d) give the count: -shard auto/n", k8s)
		default:
			return nil, bad("neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set")
		}
	}
	if count < 1 {
		return nil, bad("the count %d is not positive", count)
	}
	if index >= count {
		return nil, bad("the index %d is not below the count %d (an array with gaps or steps?)", index, count)
	}
	return &shardSpec{Index: index, Count: count}, nil
}
