//go:build !linux

package main

import (
	"os"
	"syscall"
)

// The load generator reads /proc and refuses to run off Linux; these keep it building there.

func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }

func killGroup(p *os.Process) { p.Kill() }
