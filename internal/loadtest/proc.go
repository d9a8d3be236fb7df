package loadtest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RSS is the resident set size of process pid in bytes, read from VmRSS in
// /proc/PID/status; it needs Linux.
func RSS(pid int) (int64, error) {
	if runtime.GOOS != "linux" {
		return 0, fmt.Errorf("loadtest: RSS of pid %d: needs Linux /proc, running on %s", pid, runtime.GOOS)
	}
	if pid < 1 {
		return 0, fmt.Errorf("loadtest: RSS of pid %d: not a process id", pid)
	}
	v, err := procField(fmt.Sprintf("/proc/%d/status", pid), "VmRSS")
	if err != nil {
		return 0, fmt.Errorf("loadtest: RSS of pid %d: %w", pid, err)
	}
	n, err := kiB(v)
	if err != nil {
		return 0, fmt.Errorf("loadtest: RSS of pid %d: %w", pid, err)
	}
	return n, nil
}

// Sampler polls the resident size of a process in a goroutine and keeps the peak.
type Sampler struct {
	pid  int
	stop chan struct{}
	done chan struct{}
	once sync.Once
	// peak and err belong to the polling goroutine until done is closed.
	peak int64
	err  error
}

// StartSampler reads the resident size of pid once, so a pid that cannot be
// read fails here, and then again every interval until Stop.
func StartSampler(pid int, every time.Duration) (*Sampler, error) {
	if every <= 0 {
		return nil, fmt.Errorf("loadtest: sampler interval must be positive, got %v", every)
	}
	first, err := RSS(pid)
	if err != nil {
		return nil, fmt.Errorf("loadtest: start sampler: %w", err)
	}
	s := &Sampler{pid: pid, stop: make(chan struct{}), done: make(chan struct{}), peak: first}
	go s.poll(every)
	return s, nil
}

// poll samples every interval, once more when stopped, and gives up at the
// first failed reading (the process has usually exited).
func (s *Sampler) poll(every time.Duration) {
	defer close(s.done)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			s.sample()
			return
		case <-tick.C:
			if !s.sample() {
				return
			}
		}
	}
}

// sample takes one reading into the peak and reports whether it succeeded.
func (s *Sampler) sample() bool {
	v, err := RSS(s.pid)
	if err != nil {
		s.err = err
		return false
	}
	s.peak = max(s.peak, v)
	return true
}

// Stop ends the sampling and returns the peak resident size in bytes since
// StartSampler, with the error of the reading that ended it early, if any
// (the peak up to then is still returned). Calling it again returns the same.
func (s *Sampler) Stop() (int64, error) {
	s.once.Do(func() { close(s.stop) })
	<-s.done
	return s.peak, s.err
}

// Host describes the machine a benchmark ran on.
type Host struct {
	CPU       string `json:"cpu"`
	Cores     int    `json:"cores"`
	MemTotal  int64  `json:"mem_total_bytes"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	GoVersion string `json:"go_version"`
	Hostname  string `json:"hostname"`
}

// Machine describes this machine: CPU model and total memory from /proc on
// Linux, cores, OS, architecture and Go version from the runtime, and the
// host name. Whatever cannot be read is left empty and named in the error,
// so the rest can still go into a report.
func Machine() (Host, error) {
	h := Host{Cores: runtime.NumCPU(), OS: runtime.GOOS, Arch: runtime.GOARCH, GoVersion: runtime.Version()}
	var errs []error
	name, err := os.Hostname()
	if err != nil {
		errs = append(errs, fmt.Errorf("loadtest: host name: %w", err))
	}
	h.Hostname = name
	if runtime.GOOS != "linux" {
		errs = append(errs, fmt.Errorf("loadtest: CPU model and memory need Linux /proc, running on %s", runtime.GOOS))
		return h, errors.Join(errs...)
	}
	if h.CPU, err = procField("/proc/cpuinfo", "model name"); err != nil {
		errs = append(errs, fmt.Errorf("loadtest: CPU model: %w", err))
	}
	mem, err := procField("/proc/meminfo", "MemTotal")
	if err == nil {
		h.MemTotal, err = kiB(mem)
	}
	if err != nil {
		errs = append(errs, fmt.Errorf("loadtest: total memory: %w", err))
	}
	return h, errors.Join(errs...)
}

// procField is the value of the first "key: value" line of a /proc file.
func procField(path, key string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v), nil
		}
	}
	return "", fmt.Errorf("%s has no %s", path, key)
}

// kiB is the bytes of a /proc size such as "12345 kB" (the kernel's kB are KiB).
func kiB(v string) (int64, error) {
	num, unit, _ := strings.Cut(v, " ")
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || strings.TrimSpace(unit) != "kB" {
		return 0, fmt.Errorf("size %q is not in kB", v)
	}
	return n * 1024, nil
}
