package lambdaruntime

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestStopKillsTheWholeProcessGroup(t *testing.T) {
	f, err := startFake(t, "spawn", Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The line was written before the first /next, but the pipe's reader may not have
	// copied it yet.
	var m []string
	for wait := time.Now().Add(5 * time.Second); m == nil; time.Sleep(10 * time.Millisecond) {
		if m = regexp.MustCompile(`child=(\d+)`).FindStringSubmatch(f.Stdout()); m == nil && time.Now().After(wait) {
			t.Fatalf("no child pid in stdout %q", f.Stdout())
		}
	}
	pid, _ := strconv.Atoi(m[1])
	if !alive(pid) {
		t.Fatalf("child %d not running before Stop", pid)
	}
	if err := f.Stop(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("child %d still running after Stop", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// alive reports whether pid runs. A killed process whose parent died stays a zombie until
// init reaps it, and in a container nothing may: a zombie counts as dead.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name, which may itself hold spaces.
	s := string(b)
	rest := s[strings.LastIndexByte(s, ')')+1:]
	return !strings.HasPrefix(strings.TrimSpace(rest), "Z")
}
