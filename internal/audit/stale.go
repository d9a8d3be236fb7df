package audit

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
)

// StaleError is the 409 for a save based on an old version of a record:
// it names who changed the record last, when, and which fields, from the
// audit log (in the company's zone). A record changed only by a migration
// has no entry: then the plain "changed since you opened it".
func StaleError(ctx context.Context, tx *db.Tx, entity string, id int64) error {
	c, err := LastChange(ctx, tx, entity, id)
	if errors.Is(err, sql.ErrNoRows) {
		return echelon.Errorf(echelon.ECONFLICT, "record.stale")
	}
	if err != nil {
		return err
	}
	at := c.At.In(echelon.CompanyZone()).Format("2006-01-02 15:04")
	if len(c.Fields) == 0 {
		return echelon.Errorf(echelon.ECONFLICT, "record.changed_at", c.ActorName, at)
	}
	return echelon.Errorf(echelon.ECONFLICT, "record.changed", c.ActorName, at, strings.Join(c.Fields, ", "))
}
