package echelon

import "testing"

func TestParseAmount(t *testing.T) {
	ok := map[string]int64{"1054": 105400, "12,345.6": 1234560, "0.05": 5, "-3.10": -310, " 7 ": 700}
	for in, want := range ok {
		got, err := ParseAmount(in)
		if err != nil || got != want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "abc", "1.234", "1.", ".5", "1e5", "99999999999999999999"} {
		if _, err := ParseAmount(bad); err == nil {
			t.Errorf("ParseAmount(%q): no error", bad)
		}
	}
}

func TestFormatAmount(t *testing.T) {
	cases := map[int64]string{0: "0.00", 5: "0.05", 123456789: "1,234,567.89", -100000: "-1,000.00", 99900: "999.00"}
	for in, want := range cases {
		if got := FormatAmount(in); got != want {
			t.Errorf("FormatAmount(%d) = %q, want %q", in, got, want)
		}
	}
}
