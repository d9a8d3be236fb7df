package market

import (
	"context"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
)

// DealFilter names one market share of a report — the period and how it is
// drawn, the share's key and currency — and a page of the deals behind it.
type DealFilter struct {
	Period, By, Key, Currency string
	Offset, Limit             int
}

// Deal is a won deal behind a market share.
type Deal struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Account  string `json:"account"`
	Owner    string `json:"owner"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	ClosedOn string `json:"closed_on"`
}

// Evidence is one market share with a page of the won deals its revenue is
// made of, newest first; Share.Deals counts them all.
type Evidence struct {
	Period string `json:"period"`
	By     string `json:"by"`
	Share  *Share `json:"share"`
	Deals  []Deal `json:"deals"`
	More   bool   `json:"more"`
}

// maxDealPage bounds one page of deals.
const maxDealPage = 200

// Deals lists the won deals behind one market share the reader may see.
func (s *Service) Deals(ctx context.Context, f DealFilter) (*Evidence, error) {
	if f.Limit <= 0 || f.Limit > maxDealPage {
		f.Limit = 50
	}
	var out *Evidence
	err := s.viewing(ctx, func(tx *db.Tx, lk *lookup) error {
		rep, err := s.shares(ctx, tx, lk, f.Period, f.By)
		if err != nil {
			return err
		}
		sh := rep.find(f.Key, f.Currency)
		if sh == nil {
			return echelon.Errorf(echelon.ENOTFOUND, "market.not_found")
		}
		out = &Evidence{Period: rep.Period, By: rep.By, Share: sh, Deals: []Deal{}}
		return out.list(ctx, tx, lk.act, rep, max(f.Offset, 0), f.Limit)
	})
	return out, err
}

// find returns the share of key in currency (any currency when empty), or nil.
func (rep *Report) find(key, currency string) *Share {
	for _, sh := range rep.Shares {
		if sh.Key == key && (currency == "" || strings.EqualFold(sh.Currency, currency)) {
			return sh
		}
	}
	return nil
}

// list reads a page of the deals behind the evidence's share.
func (ev *Evidence) list(ctx context.Context, tx *db.Tx, act *echelon.Actor, rep *Report, offset, limit int) error {
	from, args := wonDeals(act, rep.span)
	cond, condArgs := ev.Share.dealCond()
	args = append(append(args, condArgs...), ev.Share.Currency, limit+1, offset)
	rows, err := tx.Query(ctx, `SELECT o.id, o.name, a.name, p.name, o.amount, o.currency, o.closed_on `+from+` AND `+cond+
		` AND o.currency = ? ORDER BY o.closed_on DESC, o.id DESC LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return fmtErr("deals of market", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d Deal
		var closed time.Time
		if err := rows.Scan(&d.ID, &d.Name, &d.Account, &d.Owner, &d.Amount, &d.Currency, &closed); err != nil {
			return fmtErr("scan deal of market", err)
		}
		d.ClosedOn = closed.Format(time.DateOnly)
		ev.Deals = append(ev.Deals, d)
	}
	if len(ev.Deals) > limit {
		ev.Deals, ev.More = ev.Deals[:limit], true
	}
	return fmtErr("deals of market", rows.Err())
}

// dealCond is the condition on accounts (alias a) that places a deal in the share's market.
func (sh *Share) dealCond() (string, []any) {
	if sh.Segment != "" {
		return "LOWER(a.segment) = LOWER(?)", []any{sh.Segment}
	}
	args := make([]any, len(sh.territories))
	for i, id := range sh.territories {
		args[i] = id
	}
	return "a.territory_id IN (" + db.Marks(len(args)) + ")", args
}
