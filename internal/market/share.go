package market

import (
	"cmp"
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/period"
)

// Fraction is an exact ratio, Num ÷ Den; a share is revenue ÷ market size,
// both in minor units of one currency, so Den is never zero.
type Fraction struct {
	Num int64 `json:"num"`
	Den int64 `json:"den"`
}

// Revenue is won revenue in one currency: its amount and the deals it is made of.
type Revenue struct {
	Currency string `json:"currency"`
	Amount   int64  `json:"amount"`
	Deals    int64  `json:"deals"`
}

// Share is one market's size, the own won revenue in it during the
// period and the share that makes. Revenue counts only deals in the
// size's currency; won revenue in other currencies is listed apart
// (OtherRevenue), never converted or added.
type Share struct {
	Key          string    `json:"key"` // the territory id, the region's org unit id, or the segment
	Name         string    `json:"name"`
	TerritoryID  int64     `json:"territory_id,omitempty"`
	OrgUnitID    int64     `json:"org_unit_id,omitempty"`
	Segment      string    `json:"segment,omitempty"`
	Currency     string    `json:"currency"`
	Size         int64     `json:"size"`
	Revenue      int64     `json:"revenue"`
	Deals        int64     `json:"deals"` // the won deals the revenue is made of
	Share        Fraction  `json:"share"`
	Markets      int       `json:"markets"` // the market sizes added up: 1, or a region's territories
	OtherRevenue []Revenue `json:"other_revenue,omitempty"`
	territories  []int64   // whose accounts' deals make the revenue (none for a segment)
}

// Report is the market shares of one period, drawn one way.
type Report struct {
	Period     string   `json:"period"`
	By         string   `json:"by"`
	FirstMonth string   `json:"first_month"`
	LastMonth  string   `json:"last_month"`
	Shares     []*Share `json:"shares"`
	span       period.Period
}

// Shares computes, for every market the reader may see with a size for
// period at (an address; empty: the current fiscal year), the own won
// revenue — won deals closed in the period's months whose account lies in
// the territory or the segment, inside the reader's record scope — and
// the share it makes, by territory, by region or by segment.
func (s *Service) Shares(ctx context.Context, at, by string) (*Report, error) {
	var out *Report
	err := s.viewing(ctx, func(tx *db.Tx, lk *lookup) (err error) {
		out, err = s.shares(ctx, tx, lk, at, by)
		return err
	})
	return out, err
}

// drawing checks how markets are drawn (by territory when empty) and
// returns the kind of market size that drawing reads.
func drawing(by string) (string, string, error) {
	switch by {
	case "", ByTerritory, ByRegion:
		return cmp.Or(by, ByTerritory), ByTerritory, nil
	case BySegment:
		return by, BySegment, nil
	}
	return "", "", echelon.FieldError("by", "market.by_invalid", by)
}

func (s *Service) shares(ctx context.Context, tx *db.Tx, lk *lookup, at, by string) (*Report, error) {
	by, kind, err := drawing(by)
	if err != nil {
		return nil, err
	}
	p, err := lk.periodOrYear(at, s.now())
	if err != nil {
		return nil, err
	}
	rep := &Report{Period: p.String(), By: by, FirstMonth: p.First.String(), LastMonth: p.Last().String(), Shares: []*Share{}, span: p}
	sizes, err := lk.querySizes(ctx, tx, `ms.first_month = ? AND ms.last_month = ? AND (ms.territory_id IS NULL) = ?`,
		int(p.First), int(p.Last()), kind == BySegment)
	if err != nil {
		return nil, err
	}
	revenue, err := wonRevenue(ctx, tx, lk.act, p, kind)
	if err != nil {
		return nil, err
	}
	for _, sz := range sizes {
		rep.Shares = append(rep.Shares, newShare(sz, revenue))
	}
	if by == ByRegion {
		rep.Shares, err = lk.regions(ctx, tx, rep.Shares)
	}
	return rep, err
}

// periodOrYear reads a period address; empty is the fiscal year of now.
func (lk *lookup) periodOrYear(at string, now time.Time) (period.Period, error) {
	if strings.TrimSpace(at) == "" {
		return lk.cal.Of(period.KindYear, lk.cal.MonthAt(now)), nil
	}
	return lk.parse(at)
}

// revenues are won revenues by market key (territory id or folded segment) and currency.
type revenues map[string]map[string]Revenue

// wonDeals is the FROM and WHERE of the won deals closed in p that the
// reader may see, with their accounts (alias a), and its arguments.
func wonDeals(act *echelon.Actor, p period.Period) (string, []any) {
	scope, args := org.RecordScope(act, "o.owner_id", "o.org_unit_id")
	day := func(m period.Month) time.Time { return time.Date(m.Year(), m.Calendar(), 1, 0, 0, 0, 0, time.UTC) }
	return `FROM opportunities o JOIN stages st ON st.id = o.stage_id JOIN accounts a ON a.id = o.account_id
		JOIN people p ON p.id = o.owner_id
		WHERE st.outcome = 'won' AND o.closed_on >= ? AND o.closed_on < ? AND ` + scope,
		append([]any{day(p.First), day(p.Last().Add(1))}, args...)
}

// marketColumn is the account column that places a deal in a market of
// kind, and the condition for an account to be in one.
func marketColumn(kind string) (col, cond string) {
	if kind == BySegment {
		return "LOWER(a.segment)", "a.segment <> ''"
	}
	return "a.territory_id", "a.territory_id IS NOT NULL"
}

// wonRevenue sums the won deals of p that the reader may see by market and currency.
func wonRevenue(ctx context.Context, tx *db.Tx, act *echelon.Actor, p period.Period, kind string) (revenues, error) {
	from, args := wonDeals(act, p)
	col, cond := marketColumn(kind)
	rows, err := tx.Query(ctx, `SELECT `+col+`, o.currency, COUNT(*), SUM(o.amount) `+from+` AND `+cond+
		` GROUP BY `+col+`, o.currency`, args...)
	if err != nil {
		return nil, fmtErr("won revenue", err)
	}
	defer rows.Close()
	out := revenues{}
	for rows.Next() {
		var key string
		var r Revenue
		if err := rows.Scan(&key, &r.Currency, &r.Deals, &r.Amount); err != nil {
			return nil, fmtErr("scan won revenue", err)
		}
		if out[key] == nil {
			out[key] = map[string]Revenue{}
		}
		out[key][r.Currency] = r
	}
	return out, fmtErr("won revenue", rows.Err())
}

// newShare is the share of one market size.
func newShare(sz *Size, rev revenues) *Share {
	sh := &Share{Currency: sz.Currency, Size: sz.Amount, Markets: 1}
	key := sz.segmentKey
	if sz.TerritoryID != 0 {
		key = strconv.FormatInt(sz.TerritoryID, 10)
		sh.Key, sh.Name, sh.TerritoryID, sh.territories = key, sz.TerritoryName, sz.TerritoryID, []int64{sz.TerritoryID}
	} else {
		sh.Key, sh.Name, sh.Segment = sz.Segment, sz.Segment, sz.Segment
	}
	sh.add(rev[key])
	return sh
}

// add counts revenue by currency into the share: its own currency's, or apart.
func (sh *Share) add(byCurrency map[string]Revenue) {
	for _, r := range byCurrency {
		if r.Currency == sh.Currency {
			sh.Revenue += r.Amount
			sh.Deals += r.Deals
			continue
		}
		sh.addOther(r)
	}
	sort.Slice(sh.OtherRevenue, func(i, j int) bool { return sh.OtherRevenue[i].Currency < sh.OtherRevenue[j].Currency })
	sh.Share = Fraction{Num: sh.Revenue, Den: sh.Size}
}

func (sh *Share) addOther(r Revenue) {
	for i := range sh.OtherRevenue {
		if sh.OtherRevenue[i].Currency == r.Currency {
			sh.OtherRevenue[i].Amount += r.Amount
			sh.OtherRevenue[i].Deals += r.Deals
			return
		}
	}
	sh.OtherRevenue = append(sh.OtherRevenue, r)
}

// region is a region-kind org unit.
type region struct {
	id         int64
	name, path string
}

// regions adds the territory shares up by the region whose subtree each
// territory belongs to, and by currency, for the regions the reader may see.
func (lk *lookup) regions(ctx context.Context, tx *db.Tx, shares []*Share) ([]*Share, error) {
	all, err := loadRegions(ctx, tx)
	if err != nil {
		return nil, err
	}
	out := []*Share{}
	byKey := map[string]*Share{}
	for _, sh := range shares {
		r := regionOf(all, lk.territories[sh.TerritoryID].path)
		if r == nil || !lk.seesRegion(r.path) {
			continue
		}
		k := strconv.FormatInt(r.id, 10)
		sum := byKey[k+"|"+sh.Currency]
		if sum == nil {
			sum = &Share{Key: k, Name: r.name, OrgUnitID: r.id, Currency: sh.Currency}
			byKey[k+"|"+sh.Currency] = sum
			out = append(out, sum)
		}
		sum.merge(sh)
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Name < out[j].Name || (out[i].Name == out[j].Name && out[i].Currency < out[j].Currency)
	})
	return out, nil
}

// merge adds a territory's share into a region's.
func (sh *Share) merge(t *Share) {
	sh.Size += t.Size
	sh.Markets++
	sh.territories = append(sh.territories, t.territories...)
	byCurrency := map[string]Revenue{sh.Currency: {Currency: sh.Currency, Amount: t.Revenue, Deals: t.Deals}}
	for _, r := range t.OtherRevenue {
		byCurrency[r.Currency] = r
	}
	sh.add(byCurrency)
}

func loadRegions(ctx context.Context, tx *db.Tx) ([]region, error) {
	rows, err := tx.Query(ctx, `SELECT id, name, path FROM org_units WHERE kind = ? ORDER BY name, id`, org.KindRegion)
	if err != nil {
		return nil, fmtErr("regions", err)
	}
	defer rows.Close()
	var out []region
	for rows.Next() {
		var r region
		if err := rows.Scan(&r.id, &r.name, &r.path); err != nil {
			return nil, fmtErr("scan region", err)
		}
		out = append(out, r)
	}
	return out, fmtErr("regions", rows.Err())
}

// regionOf is the deepest region whose subtree holds the unit at path, or nil.
func regionOf(all []region, path string) *region {
	var best *region
	for i, r := range all {
		if org.InSubtree(path, r.path) && (best == nil || len(r.path) > len(best.path)) {
			best = &all[i]
		}
	}
	return best
}
