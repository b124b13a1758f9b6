//go:build !unix

package lambdaruntime

import (
	"os"
	"syscall"
)

// Without process groups only the function's own process can be stopped.
func sysProcAttr() *syscall.SysProcAttr { return nil }

func killGroup(p *os.Process) error { return p.Kill() }
