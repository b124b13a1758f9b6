//go:build unix

package devstack

import (
	"os"
	"syscall"
)

// terminate asks the emulator's process group to exit.
func terminate(p *os.Process) error { return syscall.Kill(-p.Pid, syscall.SIGTERM) }

// kill ends the emulator's process group when it ignored terminate.
func kill(p *os.Process) error { return syscall.Kill(-p.Pid, syscall.SIGKILL) }
