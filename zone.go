package echelon

import "time"

// CompanyZone is the company's time zone, in which dates are shown and
// "today" is decided (PRODUCT.md 2.11: Asia/Shanghai by default). Times are
// stored in UTC.
func CompanyZone() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600) // no zone database on the machine
	}
	return loc
}
