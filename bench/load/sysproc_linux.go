package main

import (
	"os"
	"syscall"
)

// sysProcAttr gives a server its own process group and asks the kernel to SIGTERM it should
// the load generator die first.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// killGroup ends a server's process group, whatever it started included.
func killGroup(p *os.Process) { syscall.Kill(-p.Pid, syscall.SIGKILL) }
