package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// procTimes are a process's CPU times from /proc/<pid>/stat, every thread included.
type procTimes struct {
	utime, stime uint64 // clock ticks
}

// cpu is user plus system time.
func (p procTimes) cpu(tick time.Duration) time.Duration {
	return time.Duration(p.utime+p.stime) * tick
}

// parseStat reads utime and stime (fields 14 and 15, proc(5)) from a /proc/<pid>/stat line.
// The command name (field 2) is in parentheses and may itself hold spaces and ")", so the
// fields are counted from the last ")".
func parseStat(b []byte) (procTimes, error) {
	end := bytes.LastIndexByte(b, ')')
	if end < 0 {
		return procTimes{}, fmt.Errorf("stat: no command name in %q", b)
	}
	f := strings.Fields(string(b[end+1:]))
	// After the name: state is field 3, so field n is f[n-3].
	if len(f) < 15-3+1 {
		return procTimes{}, fmt.Errorf("stat: %d fields after the command name", len(f))
	}
	u, err := strconv.ParseUint(f[14-3], 10, 64)
	if err != nil {
		return procTimes{}, fmt.Errorf("stat: utime: %w", err)
	}
	s, err := strconv.ParseUint(f[15-3], 10, 64)
	if err != nil {
		return procTimes{}, fmt.Errorf("stat: stime: %w", err)
	}
	return procTimes{utime: u, stime: s}, nil
}

// parseRSS reads VmRSS, in bytes, from /proc/<pid>/status.
func parseRSS(b []byte) (int64, error) {
	for line := range strings.Lines(string(b)) {
		rest, ok := strings.CutPrefix(line, "VmRSS:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("status: VmRSS %q", strings.TrimSpace(rest))
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("status: VmRSS: %w", err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("status: no VmRSS line")
}

func readStat(pid int) (procTimes, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procTimes{}, err
	}
	return parseStat(b)
}

func readRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseRSS(b)
}

// clockTick is the unit of /proc's CPU times (1/USER_HZ): getconf's answer, else 100 Hz,
// USER_HZ on every architecture Linux runs Go on.
func clockTick() time.Duration {
	out, err := exec.Command("getconf", "CLK_TCK").Output()
	if hz, perr := strconv.Atoi(strings.TrimSpace(string(out))); err == nil && perr == nil && hz > 0 {
		return time.Second / time.Duration(hz)
	}
	return 10 * time.Millisecond
}
