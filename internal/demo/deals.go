package demo

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/benchdata"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/totals"
)

// Deal shapes by level: the median deal in yuan and the base win rate.
var (
	medianDeal = map[string]float64{"junior_rep": 60_000, "mid_rep": 120_000, "senior_rep": 220_000}
	winRate    = map[string]float64{"junior_rep": 0.22, "mid_rep": 0.30, "senior_rep": 0.38}
)

// stage is a pipeline stage as the generator uses it.
type stage struct {
	id          int64
	probability int
}

// deal is a generated opportunity before it is written.
type deal struct {
	rep              *rep
	acct             *account
	name             string
	amount           int64 // minor units
	product          int64
	series           string
	qty, unitPrice   int64
	created, end     time.Time // end: the close, or now for an open deal
	expected, closed time.Time // closed is zero for an open deal
	path             []string  // stage codes entered, in order
	lostReason       string
	open             bool
}

// stageCodes are the open stages in pipeline order.
var stageCodes = []string{"prospecting", "qualification", "proposal", "negotiation"}

// deals writes the opportunities with their stage history and order lines,
// and the activities, in one transaction of batched inserts.
func (g *gen) deals() (string, error) {
	stages := map[string]stage{}
	err := g.d.View(g.ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(g.ctx, `SELECT code, id, probability FROM stages`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var code string
			var s stage
			if err := rows.Scan(&code, &s.id, &s.probability); err != nil {
				return err
			}
			stages[code] = s
		}
		return rows.Err()
	})
	if err != nil {
		return "", fmt.Errorf("demo: stages: %w", err)
	}
	owners, weights := g.dealOwners()
	var hist, lines, acts [][]any
	err = g.d.Tx(g.ctx, func(tx *db.Tx) error {
		for i := 0; i < g.size.Opportunities && len(owners) > 0; i++ {
			d := g.deal(owners[g.pick(weights)])
			final := stages[d.path[len(d.path)-1]]
			var closed any
			if !d.open {
				closed = d.closed
			}
			changes := g.stageTimes(d)
			id, err := tx.InsertID(g.ctx, `INSERT INTO opportunities (name, account_id, owner_id, org_unit_id, amount, currency, stage_id, probability,
				expected_close, closed_on, lost_reason, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'CNY', ?, ?, ?, ?, ?, ?, ?)`,
				d.name, d.acct.id, d.rep.id, d.rep.unit, d.amount, final.id, final.probability, d.expected, closed, d.lostReason,
				d.created, changes[len(changes)-1])
			if err != nil {
				return fmt.Errorf("demo: insert opportunity: %w", err)
			}
			g.res.Opportunities++
			var from any
			for k, code := range d.path {
				hist = append(hist, []any{id, from, stages[code].id, changes[k], d.rep.id, d.rep.id, d.rep.unit})
				from = stages[code].id
			}
			lines = append(lines, []any{id, d.product, d.qty, d.unitPrice, d.series})
			acts = append(acts, g.dealActivities(d, id)...)
		}
		acts = append(acts, g.followUps()...)
		for _, b := range []struct {
			head string
			rows [][]any
		}{
			{`INSERT INTO stage_history (opportunity_id, from_stage_id, to_stage_id, changed_at, changed_by, owner_id, org_unit_id)`, hist},
			{`INSERT INTO opportunity_products (opportunity_id, product_id, quantity, unit_price, series)`, lines},
			{`INSERT INTO activities (kind, subject, at, owner_id, org_unit_id, account_id, contact_id, opportunity_id, outcome, next_step,
				next_step_at, created_at, updated_at)`, acts},
		} {
			if len(b.rows) == 0 {
				continue
			}
			if err := benchdata.Bulk(g.ctx, tx, b.head, len(b.rows[0]), len(b.rows), func(i int) []any { return b.rows[i] }); err != nil {
				return err
			}
		}
		// What the services keep on the account: its last follow-up, and
		// customers are the accounts with a won deal.
		if _, err := tx.Exec(g.ctx, `UPDATE accounts SET last_activity_at = (SELECT MAX(x.at) FROM activities x WHERE x.account_id = accounts.id)`); err != nil {
			return fmt.Errorf("demo: last activity: %w", err)
		}
		if _, err := tx.Exec(g.ctx, `UPDATE accounts SET status = 'customer' WHERE EXISTS (SELECT 1 FROM opportunities o WHERE o.account_id = accounts.id AND o.stage_id = ?)`,
			stages["won"].id); err != nil {
			return fmt.Errorf("demo: customers: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	g.res.StageChanges, g.res.Activities = len(hist), len(acts)
	return fmt.Sprintf("%d opportunities, %d stage changes, %d activities", g.res.Opportunities, len(hist), len(acts)), nil
}

// dealOwners are the reps with accounts, weighted by level, skill and the
// part of the last three years they have been with the company.
func (g *gen) dealOwners() ([]*rep, []float64) {
	var owners []*rep
	var weights []float64
	for _, r := range g.reps {
		if len(r.accounts) == 0 {
			continue
		}
		owners = append(owners, r)
		weights = append(weights, levelWeight[r.level]*r.skill*g.now.Sub(g.dealStart(r)).Hours())
	}
	return owners, weights
}

// dealStart is the earliest a rep's deal may be created.
func (g *gen) dealStart(r *rep) time.Time {
	lo := r.hired.AddDate(0, 0, 14)
	if earliest := g.now.AddDate(-3, 0, 0); lo.Before(earliest) {
		return earliest
	}
	return lo
}

// date is the calendar date of t in the company's zone, as midnight UTC.
func date(t time.Time) time.Time {
	y, m, d := t.In(echelon.CompanyZone()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// deal draws one opportunity of r: an account r owned by then, a
// log-normal amount, a sales cycle of weeks to months ending more often
// at the end of a quarter and in the fiscal year's last quarter, and a
// win rate by level and skill.
func (g *gen) deal(r *rep) *deal {
	d := &deal{rep: r, created: g.between(g.dealStart(r), g.now.Add(-5*24*time.Hour))}
	k := sort.Search(len(r.accounts), func(i int) bool { return r.accounts[i].created.After(d.created) })
	if k == 0 {
		d.acct = r.accounts[0]
		d.created = g.between(d.acct.created, d.acct.created.AddDate(0, 0, 30))
	} else {
		d.acct = r.accounts[g.r.IntN(k)]
	}
	// Amount: log-normal around the level's median, rounded to ¥100, then
	// made of one order line of a product the deal can afford.
	yuan := math.Round(min(max(g.logNormal(medianDeal[r.level]*r.skill, 0.9), 2_000), 8_000_000)/100) * 100
	var fits []product
	for _, p := range products {
		if float64(p.price) <= yuan {
			fits = append(fits, p)
		}
	}
	p := implementationDays // fits any deal
	if len(fits) > 0 {
		p = fits[g.r.IntN(len(fits))]
	}
	price := int64(math.Round(float64(p.price)*(0.75+0.25*g.r.Float64()))) * 100
	d.qty = max(1, int64(math.Round(yuan*100/float64(price))))
	d.unitPrice, d.amount, d.product, d.series = price, d.qty*price, g.products[p.code], p.series
	d.name = d.acct.short + " " + p.series + dealSuffixes[g.r.IntN(len(dealSuffixes))]

	cycle := min(max(g.logNormal(55, 0.6), 10), 365)
	closeOn := date(d.created.Add(time.Duration(cycle * 24 * float64(time.Hour))))
	closeOn = g.season(closeOn)
	d.expected = closeOn
	won := g.r.Float64() < winRate[r.level]*r.skill
	switch {
	case !closeOn.Before(g.today) || g.r.IntN(25) == 0: // still open (deals close before today), some overdue
		d.open, d.end = true, g.now
		frac := float64(g.now.Sub(d.created)) / float64(closeOn.Add(12*time.Hour).Sub(d.created))
		n := min(max(int(frac*float64(len(stageCodes)))+1, 1), len(stageCodes))
		d.path = append([]string(nil), stageCodes[:n]...)
	case won:
		d.closed, d.end = closeOn, closeOn.Add(2*time.Hour)
		for i, code := range stageCodes {
			if i == 0 || g.r.IntN(6) > 0 {
				d.path = append(d.path, code)
			}
		}
		d.path = append(d.path, "won")
		r.won[g.cal.FiscalYear(g.cal.MonthAt(closeOn))] += d.amount
	default:
		d.closed, d.end = closeOn, closeOn.Add(2*time.Hour)
		d.path = append(append([]string(nil), stageCodes[:1+g.r.IntN(len(stageCodes))]...), "lost")
		d.lostReason = lostReasons[g.r.IntN(len(lostReasons))]
	}
	return d
}

// season moves some closes to the last month of their fiscal quarter,
// more of them in the fiscal year's fourth quarter.
func (g *gen) season(t time.Time) time.Time {
	idx := (int(t.Month()) - int(g.cal.StartMonth) + 12) % 12
	chance := 0.3
	if idx >= 9 {
		chance = 0.6
	}
	if idx%3 == 2 || g.r.Float64() >= chance {
		return t
	}
	last := time.Date(t.Year(), t.Month()+time.Month(2-idx%3), 1, 0, 0, 0, 0, time.UTC)
	days := last.AddDate(0, 1, -1).Day()
	return last.AddDate(0, 0, 14+g.r.IntN(days-14))
}

// stageTimes spaces a deal's stage entries from its creation to its end;
// a closed deal enters its final stage on its close date.
func (g *gen) stageTimes(d *deal) []time.Time {
	n := len(d.path)
	out := make([]time.Time, n)
	span := d.end.Sub(d.created)
	for k := range n {
		switch {
		case k == 0:
			out[k] = d.created
		case !d.open && k == n-1:
			out[k] = d.end
		default:
			steps := n
			if !d.open {
				steps = n - 1
			}
			out[k] = d.created.Add(span * time.Duration(k) / time.Duration(steps))
		}
	}
	return out
}

// pickKind draws an activity kind by how often it occurs.
func (g *gen) pickKind() activityKind {
	w := make([]float64, len(activityKinds))
	for i, k := range activityKinds {
		w[i] = float64(k.weight)
	}
	return activityKinds[g.pick(w)]
}

// contactOf is one of the account's contacts, or nil.
func (g *gen) contactOf(a *account) any {
	if len(a.contacts) == 0 {
		return nil
	}
	return a.contacts[g.r.IntN(len(a.contacts))]
}

// dealActivities are the activities of deal id: on average
// ActivitiesPerOpportunity, over its life; the latest of an open deal
// plans a next step.
func (g *gen) dealActivities(d *deal, id int64) [][]any {
	n := g.r.IntN(2*g.size.ActivitiesPerOpportunity + 1)
	ats := make([]time.Time, n)
	for i := range ats {
		ats[i] = g.between(d.created, d.end)
	}
	sort.Slice(ats, func(i, j int) bool { return ats[i].Before(ats[j]) })
	out := make([][]any, n)
	for i, at := range ats {
		k := g.pickKind()
		var step string
		var stepAt any
		if d.open && i == n-1 {
			step, stepAt = nextSteps[g.r.IntN(len(nextSteps))], g.now.Add(time.Duration(1+g.r.IntN(14))*24*time.Hour)
		}
		out[i] = []any{k.kind, k.subjects[g.r.IntN(len(k.subjects))], at, d.rep.id, d.rep.unit, d.acct.id, g.contactOf(d.acct), id,
			outcomes[g.r.IntN(len(outcomes))], step, stepAt, at, at}
	}
	return out
}

// followUps are a recent visit or call on every owned account, as a rep
// keeps their accounts (and out of the pool's return rule).
func (g *gen) followUps() [][]any {
	var out [][]any
	for _, a := range g.accounts {
		if a.owner == nil {
			continue
		}
		at := g.now.Add(-time.Duration(1+g.r.IntN(25*24)) * time.Hour)
		kind := []string{"call", "visit"}[g.r.IntN(2)]
		out = append(out, []any{kind, "客户回访", at, a.owner.id, a.unit, a.id, g.contactOf(a), nil,
			outcomes[g.r.IntN(len(outcomes))], "", nil, at, at})
	}
	return out
}

// totals rebuilds the sales totals from the records, after statistics so
// PostgreSQL plans the rebuild for the rows just written.
func (g *gen) totals() (string, error) {
	if err := g.d.Analyze(g.ctx); err != nil {
		return "", fmt.Errorf("demo: analyze: %w", err)
	}
	var n int
	err := g.d.Tx(g.ctx, func(tx *db.Tx) error {
		if err := totals.Rebuild(g.ctx, tx); err != nil {
			return err
		}
		return tx.QueryRow(g.ctx, `SELECT COUNT(*) FROM sales_totals`).Scan(&n)
	})
	if err != nil {
		return "", fmt.Errorf("demo: rebuild totals: %w", err)
	}
	if err := g.d.Analyze(g.ctx, "sales_totals"); err != nil {
		return "", fmt.Errorf("demo: analyze totals: %w", err)
	}
	return fmt.Sprintf("%d sales totals rebuilt", n), nil
}
