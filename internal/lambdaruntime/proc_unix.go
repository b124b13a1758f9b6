//go:build unix && !linux

package lambdaruntime

import (
	"os"
	"syscall"
)

// sysProcAttr starts the function in its own process group, so Stop reaches anything it
// spawned. (Pdeathsig is Linux-only.)
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

func killGroup(p *os.Process) error { return syscall.Kill(-p.Pid, syscall.SIGKILL) }
