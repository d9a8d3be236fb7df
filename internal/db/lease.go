package db

import (
	"context"
	"fmt"
	"time"
)

// TryLease takes the named lease for holder until now+ttl when it is free
// or expired, and reports whether it did. Background jobs take a lease
// before each run, so with several app instances on one database a run
// happens once.
func (d *DB) TryLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	var n int64
	err := d.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `INSERT INTO job_leases (name, holder, until) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until WHERE job_leases.until < ?`,
			name, holder, now.Add(ttl).UTC(), now.UTC())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("db: lease %s: %w", name, err)
	}
	return n == 1, nil
}
