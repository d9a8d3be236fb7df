package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/echelonhq/echelon/internal/demo"
)

// demoCmd fills an empty database with the demo company, showing each phase on stderr.
func demoCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	var size string
	var seed uint64
	fs := newFlags("demo", stderr)
	bindCommon(fs, &c)
	fs.StringVar(&size, "size", "small", "how big a company: small (≈ 50 people, 2,000 accounts, 20,000 opportunities), "+
		"standard (500 reps, 100,000 accounts, 1,000,000 opportunities) or large (5,000 reps, 1,000,000 accounts, 10,000,000 opportunities; PostgreSQL)")
	fs.Uint64Var(&seed, "seed", 1, "the same seed generates the same company")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	s, ok := demo.SizeNamed(size)
	if !ok {
		return fmt.Errorf("unknown size %q; use small, standard or large", size)
	}
	m := NewMain(c, stderr)
	defer m.Close()
	if err := m.Open(ctx); err != nil {
		return err
	}
	start := time.Now()
	res, err := demo.Generate(ctx, m.DB, m.Org, demo.Config{Size: s, Seed: seed, Progress: stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo company generated in %.1fs: %d people, %d accounts, %d opportunities, %d activities\n",
		time.Since(start).Seconds(), res.People, res.Accounts, res.Opportunities, res.Activities)
	fmt.Fprintf(stdout, "sign in with password %s as\n", demo.Password)
	for _, l := range [][2]string{{"admin", res.Admin}, {"senior manager", res.Senior}, {"regional manager", res.Regional},
		{"senior rep", res.SeniorRep}, {"mid rep", res.MidRep}, {"junior rep", res.JuniorRep}} {
		fmt.Fprintf(stdout, "  %-17s %s\n", l[0], l[1])
	}
	return nil
}
