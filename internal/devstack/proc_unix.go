//go:build unix && !linux

package devstack

import "syscall"

// sysProcAttr puts the emulator in its own process group, so Stop can signal
// everything it spawned. (Pdeathsig is Linux-only.)
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
