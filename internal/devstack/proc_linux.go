package devstack

import "syscall"

// sysProcAttr puts the emulator in its own process group, so Stop can signal
// everything it spawned, and asks the kernel to SIGTERM it if this process dies
// first, so a crashed test or `make dev` leaves no orphan holding the port.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
