package loadtest

import (
	"testing"
	"time"
)

func TestNumber(t *testing.T) {
	for v, want := range map[float64]string{
		0: "0.00", 0.3187: "0.32", 9.87: "9.87", 12.34: "12.3", 99.96: "100", 1234.56: "1,235",
		98000: "98,000", 2000000: "2,000,000", -1234567: "-1,234,567",
	} {
		if got := number(v); got != want {
			t.Errorf("number(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestMillis(t *testing.T) {
	for d, want := range map[time.Duration]string{
		4213 * time.Microsecond: "4.21", 9999 * time.Microsecond: "10.0", 12345 * time.Microsecond: "12.3",
		1234567 * time.Microsecond: "1,234.6",
	} {
		if got := millis(d); got != want {
			t.Errorf("millis(%v) = %q, want %q", d, got, want)
		}
	}
}
