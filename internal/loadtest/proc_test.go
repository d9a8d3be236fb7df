package loadtest_test

import (
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/echelonhq/echelon/internal/loadtest"
)

func TestRSS(t *testing.T) {
	if runtime.GOOS != "linux" {
		if _, err := loadtest.RSS(os.Getpid()); err == nil {
			t.Error("no error off Linux")
		}
		t.Skip("RSS reads /proc")
	}
	n, err := loadtest.RSS(os.Getpid())
	if err != nil || n <= 0 {
		t.Fatalf("RSS of this test: %d, %v", n, err)
	}
	if _, err := loadtest.RSS(-1); err == nil {
		t.Error("RSS of pid -1: no error")
	}
}

func TestSampler(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the sampler reads /proc")
	}
	before, err := loadtest.RSS(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	s, err := loadtest.StartSampler(os.Getpid(), 5*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	// Touch 64 MiB while the sampler runs; the peak must see it.
	buf := make([]byte, 64<<20)
	for i := 0; i < len(buf); i += 4096 {
		buf[i] = 1
	}
	time.Sleep(30 * time.Millisecond)
	peak, err := s.Stop()
	runtime.KeepAlive(buf)
	if err != nil {
		t.Fatal(err)
	}
	if peak < before+48<<20 {
		t.Errorf("peak %d MiB, want at least %d MiB + 48 MiB", peak>>20, before>>20)
	}
	if again, _ := s.Stop(); again != peak {
		t.Errorf("second Stop %d, want %d", again, peak)
	}
	if _, err := loadtest.StartSampler(os.Getpid(), 0); err == nil {
		t.Error("interval 0: no error")
	}
	if _, err := loadtest.StartSampler(-1, time.Millisecond); err == nil {
		t.Error("pid -1: no error")
	}
}

func TestMachine(t *testing.T) {
	h, err := loadtest.Machine()
	if err != nil {
		t.Logf("partly unknown: %v", err)
	}
	if h.Cores < 1 || h.GoVersion != runtime.Version() || h.OS != runtime.GOOS || h.Arch != runtime.GOARCH {
		t.Errorf("machine %+v", h)
	}
	if runtime.GOOS == "linux" && h.MemTotal <= 0 {
		t.Errorf("no total memory on Linux: %+v", h)
	}
}
