package demo

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
)

// account is a generated account.
type account struct {
	id        int64
	created   time.Time
	owner     *rep // nil in the pool
	unit      int64
	territory *territory // nil outside every territory
	short     string
	contacts  []int64
	lastSeen  time.Time // the latest activity
	firstWin  time.Time // the close of its first won deal; zero for none
}

// createdAccount is what the audit log keeps of a generated account, as it
// keeps the stored fields of an account created through the CRM.
type createdAccount struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	CreditCode  string    `json:"credit_code,omitempty"`
	Industry    string    `json:"industry"`
	Segment     string    `json:"segment"`
	Province    string    `json:"province"`
	City        string    `json:"city"`
	Address     string    `json:"address"`
	Size        string    `json:"size"`
	Source      string    `json:"source"`
	Status      string    `json:"status"`
	OwnerID     int64     `json:"owner_id,omitempty"`
	UnitID      int64     `json:"org_unit_id"`
	TerritoryID int64     `json:"territory_id,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// createdContact is what the audit log keeps of a generated contact.
type createdContact struct {
	ID        int64     `json:"id"`
	AccountID int64     `json:"account_id"`
	Name      string    `json:"name"`
	Title     string    `json:"title"`
	Mobile    string    `json:"mobile"`
	CreatedAt time.Time `json:"created_at"`
}

// accountLimits reads each level's account limit (0: none), which the
// generator keeps a tenth below, as the CRM refuses accounts above it.
func (g *gen) accountLimits() (map[string]int, error) {
	out := map[string]int{}
	err := g.d.View(g.ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(g.ctx, `SELECT code, account_limit FROM levels`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var code string
			var limit int
			if err := rows.Scan(&code, &limit); err != nil {
				return err
			}
			out[code] = limit * 9 / 10
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("demo: account limits: %w", err)
	}
	return out, nil
}

// territoryOf is the territory the CRM gives an account in province with
// industry: the province-and-industry territory where there is one, else
// the province's.
func (g *gen) territoryOf(province, industry string) *territory {
	if t := g.territories[province+"|"+industry]; t != nil {
		return t
	}
	return g.territories[province+"|"]
}

// makeAccounts draws the accounts — nine in ten for a rep (more for
// higher levels, up to their level's account limit), the rest in a
// region's pool, created over the last four years — and writes them with
// their first ownership row, name pieces and audit entry, as the CRM does. A pooled
// account in a territory that belongs to a rep goes to that rep, as the
// CRM's territory rule does.
func (g *gen) makeAccounts() (string, error) {
	limits, err := g.accountLimits()
	if err != nil {
		return "", err
	}
	names, codes := map[string]bool{}, map[string]bool{}
	weights := make([]float64, len(g.reps))
	for i, r := range g.reps {
		weights[i] = levelWeight[r.level]
	}
	owners := newWeighted(weights)
	full := func(r *rep) bool { return limits[r.level] > 0 && len(r.accounts) >= limits[r.level] }
	pooled := 0
	err = g.d.Tx(g.ctx, func(tx *db.Tx) error {
		id, err := nextID(g.ctx, tx, "accounts")
		if err != nil {
			return err
		}
		accounts := newTable(tx, `INSERT INTO accounts (id, name, name_key, credit_code, industry, segment, province, city, address, size,
			source, status, owner_id, org_unit_id, territory_id, owned_since, created_at, updated_at)`, 18)
		owning := newTable(tx, `INSERT INTO account_ownership (account_id, action, to_owner, pool_unit_id, reason, at)`, 6, accounts)
		grams := newTable(tx, `INSERT INTO account_name_grams (gram, account_id)`, 2, accounts)
		log := &auditLog{tx: tx, entity: "account"}
		for i := range g.size.Accounts {
			a := &account{id: id + int64(i)}
			ri := g.r.IntN(len(g.regions))
			earliest := g.now.AddDate(-4, 0, 0)
			lo := earliest
			if i%10 != 9 {
				if r := g.reps[owners.draw(g.r)]; !full(r) {
					a.owner, a.unit, ri = r, r.unit, r.region
					lo = r.hired.AddDate(0, 0, 7)
					if lo.Before(earliest) {
						lo = earliest
					}
				}
			}
			a.created = g.between(lo, g.now.AddDate(0, 0, -45))
			prov := g.regions[ri].provinces[g.r.IntN(len(g.regions[ri].provinces))]
			city := prov.cities[g.r.IntN(len(prov.cities))]
			c := companyName(g.r, city, names)
			seg := segments[g.r.IntN(len(segments))]
			address := fmt.Sprintf("%s市%s路%d号", city, brandFirst[g.r.IntN(len(brandFirst))]+brandSecond[g.r.IntN(len(brandSecond))], 1+g.r.IntN(999))
			var credit any
			rec := createdAccount{ID: a.id, Name: c.name, Industry: c.industry, Segment: seg, Province: prov.name, City: city, Address: address,
				Size: companySizes[seg][g.r.IntN(2)], Source: sources[g.r.IntN(len(sources))], Status: "prospect", CreatedAt: a.created}
			if g.r.IntN(5) > 0 {
				rec.CreditCode = creditCode(g.r, prov.code, codes)
				credit = rec.CreditCode
			}
			if t := g.territoryOf(prov.name, c.industry); t != nil {
				a.territory, rec.TerritoryID = t, t.id
				if a.owner == nil && t.rep != nil && !full(t.rep) {
					a.owner, a.unit = t.rep, t.rep.unit
				}
			}
			if a.owner == nil {
				a.unit = g.regionIDs[ri]
				pooled++
			}
			var owner, pool, ownedSince any
			if a.owner != nil {
				owner, ownedSince, rec.OwnerID = a.owner.id, a.created, a.owner.id
				a.owner.accounts = append(a.owner.accounts, a)
			} else {
				pool = a.unit
			}
			a.short, rec.UnitID = c.short, a.unit
			if err := accounts.add(g.ctx, a.id, c.name, crm.NameKey(c.name), credit, c.industry, seg, prov.name, city, address, rec.Size,
				rec.Source, "prospect", owner, a.unit, nullID(rec.TerritoryID), ownedSince, a.created, a.created); err != nil {
				return err
			}
			if err := owning.add(g.ctx, a.id, crm.OwnCreate, owner, pool, "", a.created); err != nil {
				return err
			}
			for _, piece := range crm.Grams(crm.NameKey(c.name)) {
				if err := grams.add(g.ctx, piece, a.id); err != nil {
					return err
				}
			}
			if err := log.add(g.ctx, a.id, rec); err != nil {
				return err
			}
			g.accounts = append(g.accounts, a)
		}
		for _, f := range []func(context.Context) error{accounts.flush, owning.flush, grams.flush, log.flush} {
			if err := f(g.ctx); err != nil {
				return err
			}
		}
		return syncIDs(g.ctx, tx, "accounts")
	})
	if err != nil {
		return "", err
	}
	for _, r := range g.reps {
		sort.Slice(r.accounts, func(i, j int) bool { return r.accounts[i].created.Before(r.accounts[j].created) })
	}
	g.res.Accounts = len(g.accounts)
	return fmt.Sprintf("%d accounts (%d in the pool)", g.res.Accounts, pooled), nil
}

// contacts writes the contacts of every account, each with its audit entry.
func (g *gen) contacts() (string, error) {
	err := g.d.Tx(g.ctx, func(tx *db.Tx) error {
		id, err := nextID(g.ctx, tx, "contacts")
		if err != nil {
			return err
		}
		contacts := newTable(tx, `INSERT INTO contacts (id, account_id, name, title, mobile, created_at, updated_at)`, 7)
		log := &auditLog{tx: tx, entity: "contact"}
		for _, a := range g.accounts {
			for range g.size.ContactsPerAccount {
				name, _ := personName(g.r)
				c := createdContact{ID: id, AccountID: a.id, Name: name, Title: contactTitles[g.r.IntN(len(contactTitles))], Mobile: mobile(g.r),
					CreatedAt: g.between(a.created, a.created.AddDate(0, 0, 30))}
				if err := contacts.add(g.ctx, c.ID, c.AccountID, c.Name, c.Title, c.Mobile, c.CreatedAt, c.CreatedAt); err != nil {
					return err
				}
				if err := log.add(g.ctx, c.ID, c); err != nil {
					return err
				}
				a.contacts = append(a.contacts, c.ID)
				id++
			}
		}
		if err := contacts.flush(g.ctx); err != nil {
			return err
		}
		if err := log.flush(g.ctx); err != nil {
			return err
		}
		g.res.Contacts = contacts.rows
		return syncIDs(g.ctx, tx, "contacts")
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d contacts", g.res.Contacts), nil
}

// nullID is NULL for an id of 0.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
