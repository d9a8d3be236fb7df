package demo

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/echelonhq/echelon"
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
	outcome     string // won, lost or "" (open)
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

// createdOpportunity is what the audit log keeps of a generated deal.
type createdOpportunity struct {
	ID            int64      `json:"id"`
	Name          string     `json:"name"`
	AccountID     int64      `json:"account_id"`
	OwnerID       int64      `json:"owner_id"`
	UnitID        int64      `json:"org_unit_id"`
	Amount        int64      `json:"amount"`
	Currency      string     `json:"currency"`
	Stage         string     `json:"stage"`
	Probability   int        `json:"probability"`
	ExpectedClose time.Time  `json:"expected_close"`
	ClosedOn      *time.Time `json:"closed_on,omitempty"`
	LostReason    string     `json:"lost_reason,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
}

// createdActivity is what the audit log keeps of a generated activity.
type createdActivity struct {
	ID            int64     `json:"id"`
	Kind          string    `json:"kind"`
	Subject       string    `json:"subject"`
	At            time.Time `json:"at"`
	OwnerID       int64     `json:"owner_id"`
	AccountID     int64     `json:"account_id"`
	ContactID     int64     `json:"contact_id,omitempty"`
	OpportunityID int64     `json:"opportunity_id,omitempty"`
	Outcome       string    `json:"outcome,omitempty"`
	NextStep      string    `json:"next_step,omitempty"`
}

// dealsPerTx is how many deals (with their history, lines and activities)
// one transaction writes; progress is told after each.
const dealsPerTx = 50_000

// dealWriter writes deals and activities in one transaction, with the
// audit entries the CRM writes for each.
type dealWriter struct {
	g                          *gen
	stages                     map[string]stage
	opps, hist, lines, acts    *table
	oppLog, actLog             *auditLog
	nextOpp, nextHist, nextAct int64
}

func (g *gen) readStages() (map[string]stage, error) {
	stages := map[string]stage{}
	err := g.d.View(g.ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(g.ctx, `SELECT code, id, probability, outcome FROM stages`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var code string
			var s stage
			if err := rows.Scan(&code, &s.id, &s.probability, &s.outcome); err != nil {
				return err
			}
			stages[code] = s
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("demo: stages: %w", err)
	}
	return stages, nil
}

// deals writes the opportunities with their stage history and order lines,
// and the activities, dealsPerTx deals to a transaction; then what the CRM
// keeps on each account (its last follow-up; customers are the accounts
// with a won deal).
func (g *gen) deals() (string, error) {
	stages, err := g.readStages()
	if err != nil {
		return "", err
	}
	owners, weights := g.dealOwners()
	w := &dealWriter{g: g, stages: stages}
	for done := 0; done < g.size.Opportunities && len(owners) > 0; {
		n := min(dealsPerTx, g.size.Opportunities-done)
		err := g.d.Tx(g.ctx, func(tx *db.Tx) error {
			if err := w.begin(tx); err != nil {
				return err
			}
			for range n {
				if err := w.deal(g.deal(owners[weights.draw(g.r)])); err != nil {
					return err
				}
			}
			if done+n == g.size.Opportunities {
				if err := w.followUps(); err != nil {
					return err
				}
			}
			return w.end()
		})
		if err != nil {
			return "", err
		}
		done += n
		if g.out != nil && g.size.Opportunities > dealsPerTx {
			fmt.Fprintf(g.out, "demo:   %d of %d opportunities\n", done, g.size.Opportunities)
		}
	}
	if err := g.accountUpkeep(); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d opportunities, %d stage changes, %d activities", g.res.Opportunities, g.res.StageChanges, g.res.Activities), nil
}

// begin starts a transaction's tables at the next free ids.
func (w *dealWriter) begin(tx *db.Tx) error {
	ctx := w.g.ctx
	for _, next := range []struct {
		table string
		id    *int64
	}{{"opportunities", &w.nextOpp}, {"stage_history", &w.nextHist}, {"activities", &w.nextAct}} {
		id, err := nextID(ctx, tx, next.table)
		if err != nil {
			return err
		}
		*next.id = id
	}
	w.opps = newTable(tx, `INSERT INTO opportunities (id, name, account_id, owner_id, org_unit_id, amount, currency, stage_id, probability,
		expected_close, closed_on, lost_reason, created_at, updated_at)`, 14)
	w.hist = newTable(tx, `INSERT INTO stage_history (id, opportunity_id, from_stage_id, to_stage_id, changed_at, changed_by, owner_id, org_unit_id)`, 8, w.opps)
	w.lines = newTable(tx, `INSERT INTO opportunity_products (opportunity_id, product_id, quantity, unit_price, series)`, 5, w.opps)
	w.acts = newTable(tx, `INSERT INTO activities (id, kind, subject, at, owner_id, org_unit_id, account_id, contact_id, opportunity_id, outcome,
		next_step, next_step_at, created_at, updated_at)`, 14, w.opps)
	w.oppLog, w.actLog = &auditLog{tx: tx, entity: "opportunity"}, &auditLog{tx: tx, entity: "activity"}
	return nil
}

// end writes what is queued and moves the id sequences past it.
func (w *dealWriter) end() error {
	ctx := w.g.ctx
	for _, t := range []*table{w.opps, w.hist, w.lines, w.acts} {
		if err := t.flush(ctx); err != nil {
			return err
		}
	}
	for _, l := range []*auditLog{w.oppLog, w.actLog} {
		if err := l.flush(ctx); err != nil {
			return err
		}
	}
	return syncIDs(ctx, w.opps.tx, "opportunities", "stage_history", "activities")
}

// deal writes one deal with its stage entries, order line, activities and audit entry.
func (w *dealWriter) deal(d *deal) error {
	ctx, g := w.g.ctx, w.g
	id := w.nextOpp
	w.nextOpp++
	final := w.stages[d.path[len(d.path)-1]]
	changes := g.stageTimes(d)
	rec := createdOpportunity{ID: id, Name: d.name, AccountID: d.acct.id, OwnerID: d.rep.id, UnitID: d.rep.unit, Amount: d.amount, Currency: "CNY",
		Stage: d.path[len(d.path)-1], Probability: final.probability, ExpectedClose: d.expected, LostReason: d.lostReason, CreatedAt: d.created}
	var closed any
	if !d.open {
		closed, rec.ClosedOn = d.closed, &d.closed
	}
	if err := w.opps.add(ctx, id, d.name, d.acct.id, d.rep.id, d.rep.unit, d.amount, "CNY", final.id, final.probability,
		d.expected, closed, d.lostReason, d.created, changes[len(changes)-1]); err != nil {
		return err
	}
	if err := w.oppLog.add(ctx, id, rec); err != nil {
		return err
	}
	var from any
	for k, code := range d.path {
		if err := w.hist.add(ctx, w.nextHist, id, from, w.stages[code].id, changes[k], d.rep.id, d.rep.id, d.rep.unit); err != nil {
			return err
		}
		w.nextHist++
		from = w.stages[code].id
	}
	if err := w.lines.add(ctx, id, d.product, d.qty, d.unitPrice, d.series); err != nil {
		return err
	}
	w.count(id, d, final, changes)
	g.res.Opportunities++
	g.res.StageChanges += len(d.path)
	if rec.Stage == "won" {
		if a := d.acct; a.firstWin.IsZero() || d.closed.Before(a.firstWin) {
			a.firstWin = d.closed
		}
		if t := d.acct.territory; t != nil {
			t.won[g.cal.FiscalYear(g.cal.MonthAt(d.closed))] += d.amount
		}
		if g.now.Sub(d.closed) < surveyWindow {
			g.recentWins = append(g.recentWins, surveyed{id: id, rep: d.rep, closed: d.closed})
		}
	}
	return w.dealActivities(d, id)
}

// count adds what deal id, entering its stages at changes, counts for to
// the totals.
func (w *dealWriter) count(id int64, d *deal, final stage, changes []time.Time) {
	x := totals.Deal{ID: id, OwnerID: d.rep.id, UnitID: d.rep.unit, AccountID: d.acct.id, Amount: d.amount, Currency: "CNY",
		Outcome: final.outcome, Stage: d.path[len(d.path)-1], Probability: int64(final.probability), Expected: d.expected,
		Closed: d.closed, Created: d.created, Series: map[string]int64{d.series: d.qty * d.unitPrice}}
	if t := d.acct.territory; t != nil {
		x.TerritoryID = t.id
	}
	w.g.sums.Deal(x)
	for k, code := range d.path {
		w.g.sums.StageChange(d.rep.id, d.rep.unit, code, changes[k])
	}
}

// activity writes one activity with its audit entry and notes it on the account.
func (w *dealWriter) activity(a *account, x createdActivity, nextAt any) error {
	ctx := w.g.ctx
	x.ID = w.nextAct
	w.nextAct++
	if err := w.acts.add(ctx, x.ID, x.Kind, x.Subject, x.At, x.OwnerID, a.unit, x.AccountID, nullID(x.ContactID), nullID(x.OpportunityID),
		x.Outcome, x.NextStep, nextAt, x.At, x.At); err != nil {
		return err
	}
	if x.At.After(a.lastSeen) {
		a.lastSeen = x.At
	}
	w.g.res.Activities++
	w.g.sums.Activity(x.OwnerID, a.unit, x.Kind, x.At)
	return w.actLog.add(ctx, x.ID, x)
}

// accountStatus is what the audit log keeps of a rep marking an account
// a customer.
type accountStatus struct {
	Status    string    `json:"status"`
	UpdatedAt time.Time `json:"updated_at"`
}

// accountUpkeep writes what the CRM keeps on each account as activities
// are logged — the time of the last one — and what its rep did after the
// first won deal: mark it a customer (an update of the account then, with
// its audit entry).
func (g *gen) accountUpkeep() error {
	return g.d.Tx(g.ctx, func(tx *db.Tx) error {
		log := &auditLog{tx: tx, action: "update", entity: "account"}
		for _, a := range g.accounts {
			var seen any
			if !a.lastSeen.IsZero() {
				seen = a.lastSeen
			}
			if a.firstWin.IsZero() {
				if seen == nil {
					continue
				}
				if _, err := tx.Exec(g.ctx, `UPDATE accounts SET last_activity_at = ? WHERE id = ?`, seen, a.id); err != nil {
					return fmt.Errorf("demo: upkeep of account %d: %w", a.id, err)
				}
				continue
			}
			marked := a.firstWin.Add(time.Duration(9+g.r.IntN(9)) * time.Hour) // during the working day of the win
			if marked.After(g.now) {
				marked = g.now
			}
			if _, err := tx.Exec(g.ctx, `UPDATE accounts SET last_activity_at = ?, status = 'customer', updated_at = ?, version = version + 1 WHERE id = ?`,
				seen, marked, a.id); err != nil {
				return fmt.Errorf("demo: upkeep of account %d: %w", a.id, err)
			}
			if err := log.add(g.ctx, a.id, accountStatus{Status: "customer", UpdatedAt: marked}); err != nil {
				return err
			}
		}
		return log.flush(g.ctx)
	})
}

// dealOwners are the reps with accounts, weighted by level, skill and the
// part of the last three years they have been with the company.
func (g *gen) dealOwners() ([]*rep, *weighted) {
	var owners []*rep
	var weights []float64
	for _, r := range g.reps {
		if len(r.accounts) == 0 {
			continue
		}
		owners = append(owners, r)
		weights = append(weights, levelWeight[r.level]*r.skill*g.now.Sub(g.dealStart(r)).Hours())
	}
	return owners, newWeighted(weights)
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

// kindWeights draws activity kinds by how often they occur.
var kindWeights = func() *weighted {
	w := make([]float64, len(activityKinds))
	for i, k := range activityKinds {
		w[i] = float64(k.weight)
	}
	return newWeighted(w)
}()

// contactOf is one of the account's contacts, or 0.
func (g *gen) contactOf(a *account) int64 {
	if len(a.contacts) == 0 {
		return 0
	}
	return a.contacts[g.r.IntN(len(a.contacts))]
}

// dealActivities writes the activities of deal id: on average
// ActivitiesPerOpportunity, over its life; the latest of an open deal
// plans a next step.
func (w *dealWriter) dealActivities(d *deal, id int64) error {
	g := w.g
	n := g.r.IntN(2*g.size.ActivitiesPerOpportunity + 1)
	ats := make([]time.Time, n)
	for i := range ats {
		ats[i] = g.between(d.created, d.end)
	}
	sort.Slice(ats, func(i, j int) bool { return ats[i].Before(ats[j]) })
	for i, at := range ats {
		k := activityKinds[kindWeights.draw(g.r)]
		x := createdActivity{Kind: k.kind, Subject: k.subjects[g.r.IntN(len(k.subjects))], At: at, OwnerID: d.rep.id, AccountID: d.acct.id,
			ContactID: g.contactOf(d.acct), OpportunityID: id, Outcome: outcomes[g.r.IntN(len(outcomes))]}
		var stepAt any
		if d.open && i == n-1 {
			x.NextStep, stepAt = nextSteps[g.r.IntN(len(nextSteps))], g.now.Add(time.Duration(1+g.r.IntN(14))*24*time.Hour)
		}
		if err := w.activity(d.acct, x, stepAt); err != nil {
			return err
		}
	}
	return nil
}

// followUps write a recent visit or call on every owned account, as a rep
// keeps their accounts (and out of the pool's return rule).
func (w *dealWriter) followUps() error {
	g := w.g
	for _, a := range g.accounts {
		if a.owner == nil {
			continue
		}
		at := g.now.Add(-time.Duration(1+g.r.IntN(25*24)) * time.Hour)
		x := createdActivity{Kind: []string{"call", "visit"}[g.r.IntN(2)], Subject: "客户回访", At: at, OwnerID: a.owner.id, AccountID: a.id,
			ContactID: g.contactOf(a), Outcome: outcomes[g.r.IntN(len(outcomes))]}
		if err := w.activity(a, x, nil); err != nil {
			return err
		}
	}
	return nil
}

// totals stores the sales totals summed as the records were written, then
// refreshes the planner's statistics for what the phases after it read.
func (g *gen) totals() (string, error) {
	var n int
	err := g.d.Tx(g.ctx, func(tx *db.Tx) (err error) {
		n, err = g.sums.Write(g.ctx, tx)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("demo: store totals: %w", err)
	}
	if err := g.d.Analyze(g.ctx); err != nil {
		return "", fmt.Errorf("demo: analyze: %w", err)
	}
	return fmt.Sprintf("%d sales totals", n), nil
}
