//go:build !unix

package devstack

import (
	"os"
	"syscall"
)

// sysProcAttr has nothing to add where process groups are not available.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// terminate has no gentle signal to send here, so it kills outright.
func terminate(p *os.Process) error { return p.Kill() }

// kill ends the emulator process.
func kill(p *os.Process) error { return p.Kill() }
