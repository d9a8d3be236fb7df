// Package demo fills an empty database with a realistic demo company, the
// same rows for the same seed: an org tree (senior manager → regional
// managers → teams → reps on every echelon level) with Chinese names,
// territories by province and industry, products with series, accounts
// with plausible names and social credit codes, contacts, three years of
// opportunities with stage histories, skewed deal sizes, seasonality and
// win rates that differ by rep and level, activities, and won-revenue
// targets for the last and the current fiscal year, approved.
//
// People, units, territories, products, targets, reviews, market sizes and
// surveys go through the real services as the system actor. Accounts,
// contacts, opportunities (with their stage history and order lines) and
// activities are written with batched SQL in a bulk load, keeping what the
// services keep: each record's audit entry, an account's ownership history
// and name pieces, and the sales totals, summed as the records are written.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/period"
	"github.com/echelonhq/echelon/internal/settings"
	"github.com/echelonhq/echelon/internal/totals"
)

// Password is every demo person's password.
const Password = "demo-pass-1"

// EmailDomain is the domain of every demo person's e-mail address.
const EmailDomain = "demo.echelon.cn"

// CompanyName is the name the company unit gets.
const CompanyName = "梯队演示科技有限公司"

// Size is how much to generate.
type Size struct {
	Name                     string
	Regions                  int // at most 7
	TeamsPerRegion           int // at most 8
	RepsPerTeam              int
	Accounts                 int
	ContactsPerAccount       int
	Opportunities            int
	ActivitiesPerOpportunity int // on average; every owned account also gets a recent follow-up
}

// Small is ≈ 50 people, 2,000 accounts and 20,000 opportunities.
var Small = Size{Name: "small", Regions: 5, TeamsPerRegion: 2, RepsPerTeam: 4, Accounts: 2000, ContactsPerAccount: 2,
	Opportunities: 20_000, ActivitiesPerOpportunity: 2}

// Standard is the standard size of shared/BENCHMARKS.md: 20 regional
// managers, 500 reps, 100,000 accounts, 300,000 contacts, 1,000,000
// opportunities and about 2,000,000 activities.
var Standard = Size{Name: "standard", Regions: 20, TeamsPerRegion: 5, RepsPerTeam: 5, Accounts: 100_000, ContactsPerAccount: 3,
	Opportunities: 1_000_000, ActivitiesPerOpportunity: 2}

// Large is the large size of shared/BENCHMARKS.md, meant for PostgreSQL:
// 5,000 reps, 1,000,000 accounts, 3,000,000 contacts, 10,000,000
// opportunities and about 20,000,000 activities.
var Large = Size{Name: "large", Regions: 25, TeamsPerRegion: 20, RepsPerTeam: 10, Accounts: 1_000_000, ContactsPerAccount: 3,
	Opportunities: 10_000_000, ActivitiesPerOpportunity: 2}

// Sizes are the named sizes, smallest first.
var Sizes = []Size{Small, Standard, Large}

// SizeNamed returns the size called name.
func SizeNamed(name string) (Size, bool) {
	for _, s := range Sizes {
		if s.Name == name {
			return s, true
		}
	}
	return Size{}, false
}

func (s Size) validate() error {
	if s.Regions < 1 || s.Regions > maxRegions() || s.TeamsPerRegion < 1 || s.TeamsPerRegion > maxTeams ||
		s.RepsPerTeam < 1 || s.Accounts < 1 || s.ContactsPerAccount < 0 || s.Opportunities < 0 || s.ActivitiesPerOpportunity < 0 {
		return fmt.Errorf("demo: size %+v: out of range", s)
	}
	return nil
}

// Config says what to generate.
type Config struct {
	Size     Size
	Seed     uint64
	Now      time.Time             // the present of the generated history; zero: the start of today, so a seed gives the same rows all day
	Progress io.Writer             // a line per phase; nil for none
	OnPhase  func(done, total int) // called after each phase; nil for none
}

// Result counts what was generated.
type Result struct {
	People        int `json:"people"`
	Units         int `json:"units"`
	Territories   int `json:"territories"`
	Products      int `json:"products"`
	Accounts      int `json:"accounts"`
	Contacts      int `json:"contacts"`
	Opportunities int `json:"opportunities"`
	StageChanges  int `json:"stage_changes"`
	Activities    int `json:"activities"`
	Plans         int `json:"plans"`
	Reviews       int `json:"reviews"`
	MarketSizes   int `json:"market_sizes"`
	Surveys       int `json:"surveys"`
	Answered      int `json:"surveys_answered"`
	// E-mails to sign in with (password Password): the admin, the senior
	// manager, the first regional manager and a rep of each level.
	Admin     string `json:"admin"`
	Senior    string `json:"senior_manager"`
	Regional  string `json:"regional_manager"`
	SeniorRep string `json:"senior_rep"`
	MidRep    string `json:"mid_rep"`
	JuniorRep string `json:"junior_rep"`
}

// ErrNotEmpty refuses a database that already holds people or sales data.
var ErrNotEmpty = errors.New("demo: the database already holds people or sales data; the demo company needs an empty database")

// rep is a sales rep and what the generator knows about them.
type rep struct {
	id, unit int64
	region   int // index in regions
	level    string
	hired    time.Time
	skill    float64    // multiplies the level's win rate and deal size
	accounts []*account // sorted by creation
	won      map[int]int64
}

// gen holds the state of one generation.
type gen struct {
	ctx   context.Context // carries the system actor
	d     *db.DB
	org   *org.Service
	crm   *crm.Service
	clock time.Time // what the CRM service reads as now
	r     *rand.Rand
	size  Size
	now   time.Time
	today time.Time // midnight UTC of today in the company's zone
	cal   period.Calendar
	out   io.Writer
	res   Result

	levels        map[string]int64
	emails        map[string]bool
	regions       []region
	regionIDs     []int64
	reps          []*rep
	accounts      []*account
	products      map[string]int64      // id by code
	territories   map[string]*territory // by "province|industry" ("province|" for a whole province)
	territoryList []*territory          // in the order they were created
	recentWins    []surveyed            // deals won lately, which satisfaction surveys follow
	sums          *totals.Builder       // the sales totals of the records as they are written
}

// territory is a generated territory: a region's province, or a
// province's industry that belongs to a rep.
type territory struct {
	id  int64
	rep *rep
	won map[int]int64 // won revenue by fiscal year, in minor units
}

// addTerritory notes a created territory under key.
func (g *gen) addTerritory(key string, t *territory) {
	t.won = map[int]int64{}
	g.territories[key] = t
	g.territoryList = append(g.territoryList, t)
}

// Generate fills d, which must hold no people but admins and no sales
// data, with the demo company; people hash their passwords with the org
// service's parameters.
func Generate(ctx context.Context, d *db.DB, people *org.Service, c Config) (*Result, error) {
	if err := c.Size.validate(); err != nil {
		return nil, err
	}
	if err := checkEmpty(ctx, d); err != nil {
		return nil, err
	}
	now := c.Now
	if now.IsZero() {
		y, m, day := time.Now().In(echelon.CompanyZone()).Date()
		now = time.Date(y, m, day, 0, 0, 0, 0, echelon.CompanyZone())
	}
	sys := echelon.NewContext(ctx, echelon.SystemActor("demo"))
	cal, err := settings.NewService(d).Calendar(sys)
	if err != nil {
		return nil, err
	}
	g := &gen{ctx: sys, d: d, org: people, r: rand.New(rand.NewPCG(c.Seed, 0x6563_6865_6c6f_6e)), size: c.Size,
		now: now.UTC(), today: date(now), cal: cal, out: c.Progress, regions: regionsFor(c.Size.Regions), sums: totals.NewBuilder()}
	g.crm = crm.NewService(d, func() time.Time { return g.clock })
	g.clock = g.now
	// The records of the sales history go in as a bulk load; the totals,
	// targets and reviews then read them through their indexes.
	phases := []phase{{"organisation", g.organisation}, {"catalogue", g.catalogue}, {"records", func() (string, error) {
		return "indexes rebuilt", d.BulkLoad(ctx, bulkTables, func() error {
			return g.run([]phase{{"accounts", g.makeAccounts}, {"contacts", g.contacts}, {"deals", g.deals}}, nil)
		})
	}}, {"totals", g.totals}, {"targets", g.targets}, {"reviews", g.reviews}, {"market", g.marketSizes}, {"surveys", g.surveys}}
	if err := g.run(phases, c.OnPhase); err != nil {
		return nil, err
	}
	return &g.res, nil
}

// bulkTables are the tables the records phase loads in bulk.
var bulkTables = []string{"accounts", "account_ownership", "account_name_grams", "contacts", "opportunities", "stage_history", "opportunity_products", "activities", "audit_log"}

// phase is a step of the generation, which says what it made.
type phase struct {
	name string
	fn   func() (string, error)
}

// run runs phases in order, telling each one's outcome and time.
func (g *gen) run(phases []phase, onPhase func(done, total int)) error {
	for i, p := range phases {
		start := time.Now()
		what, err := p.fn()
		if err != nil {
			return err
		}
		if g.out != nil {
			fmt.Fprintf(g.out, "demo: %-12s %s (%.1fs)\n", p.name, what, time.Since(start).Seconds())
		}
		if onPhase != nil {
			onPhase(i+1, len(phases))
		}
	}
	return nil
}

func checkEmpty(ctx context.Context, d *db.DB) error {
	// The administrator's home page asks this on every visit: look for one
	// row of each kind, never count a table of a million deals.
	var n int
	err := d.View(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM (
			SELECT 1 AS x FROM (SELECT id FROM people WHERE role <> ? LIMIT 1) p
			UNION ALL SELECT 1 FROM (SELECT id FROM accounts LIMIT 1) a
			UNION ALL SELECT 1 FROM (SELECT id FROM opportunities LIMIT 1) o
			UNION ALL SELECT 1 FROM (SELECT id FROM leads LIMIT 1) l) found`, string(echelon.RoleAdmin)).Scan(&n)
	})
	if err != nil {
		return fmt.Errorf("demo: check the database is empty: %w", err)
	}
	if n > 0 {
		return ErrNotEmpty
	}
	return nil
}

// between draws a time uniformly in [lo, hi).
func (g *gen) between(lo, hi time.Time) time.Time {
	if !hi.After(lo) {
		return lo
	}
	return lo.Add(time.Duration(g.r.Int64N(int64(hi.Sub(lo)))))
}

// yearsAgo is now minus a number of years drawn in [lo, hi).
func (g *gen) yearsAgo(lo, hi float64) time.Time {
	return g.now.Add(-time.Duration((lo + g.r.Float64()*(hi-lo)) * 365 * 24 * float64(time.Hour)))
}

// person creates a person through the org service.
func (g *gen) person(role echelon.Role, unit, manager int64, level string, hired time.Time) (*org.Person, error) {
	name, py := personName(g.r)
	email := py + "@" + EmailDomain
	for i := 2; g.emails[email]; i++ {
		email = fmt.Sprintf("%s%d@%s", py, i, EmailDomain)
	}
	g.emails[email] = true
	p, err := g.org.CreatePerson(g.ctx, org.PersonInput{Email: email, Name: name, Phone: mobile(g.r), Role: role, UnitID: unit,
		ManagerID: manager, LevelID: g.levels[level], HireDate: hired.In(echelon.CompanyZone()).Format(time.DateOnly), Lang: "zh-CN"})
	if err != nil {
		return nil, fmt.Errorf("demo: create %s %s: %w", role, email, err)
	}
	g.res.People++
	return p, nil
}

func (g *gen) unit(in org.UnitInput) (*org.Unit, error) {
	u, err := g.org.CreateUnit(g.ctx, in)
	if err != nil {
		return nil, fmt.Errorf("demo: create unit %s: %w", in.Name, err)
	}
	g.res.Units++
	return u, nil
}

func (g *gen) setManager(unit, manager int64) error {
	if _, err := g.org.UpdateUnit(g.ctx, unit, org.UnitUpdate{ManagerID: &manager}); err != nil {
		return fmt.Errorf("demo: manager of unit %d: %w", unit, err)
	}
	return nil
}

// tenures is the range of years a rep of each level has been with the company.
var tenures = map[string][2]float64{"senior_rep": {3, 7}, "mid_rep": {1.5, 4}, "junior_rep": {0.3, 1.5}}

// repLevels is the mix of levels in a team, rotated from team to team.
var repLevels = []string{"senior_rep", "mid_rep", "mid_rep", "junior_rep"}

// organisation creates the admin, the senior manager at the company, a
// regional manager per region, teams and reps, and the support roles.
func (g *gen) organisation() (string, error) {
	levels, err := g.org.FindLevels(g.ctx)
	if err != nil {
		return "", err
	}
	g.levels, g.emails = map[string]int64{}, map[string]bool{}
	for _, l := range levels {
		g.levels[l.Code] = l.ID
	}
	admin, err := g.org.CreatePerson(g.ctx, org.PersonInput{Email: "admin@" + EmailDomain, Name: "系统管理员", Role: echelon.RoleAdmin,
		Lang: "zh-CN"})
	if err != nil {
		return "", fmt.Errorf("demo: create admin: %w", err)
	}
	g.res.People++
	g.emails[admin.Email] = true
	senior, err := g.person(echelon.RoleSeniorManager, 1, 0, "senior_manager", g.yearsAgo(6, 9))
	if err != nil {
		return "", err
	}
	g.res.Admin, g.res.Senior = admin.Email, senior.Email
	if err := g.setManager(1, senior.ID); err != nil {
		return "", err
	}
	name := CompanyName
	if _, err := g.org.UpdateUnit(g.ctx, 1, org.UnitUpdate{Name: &name}); err != nil {
		return "", fmt.Errorf("demo: name the company: %w", err)
	}
	for ri, reg := range g.regions {
		ru, err := g.unit(org.UnitInput{ParentID: 1, Kind: org.KindRegion, Name: reg.name})
		if err != nil {
			return "", err
		}
		g.regionIDs = append(g.regionIDs, ru.ID)
		rm, err := g.person(echelon.RoleRegionalManager, ru.ID, senior.ID, "regional_manager", g.yearsAgo(3, 7))
		if err != nil {
			return "", err
		}
		if err := g.setManager(ru.ID, rm.ID); err != nil {
			return "", err
		}
		if g.res.Regional == "" {
			g.res.Regional = rm.Email
		}
		for t := range g.size.TeamsPerRegion {
			tu, err := g.unit(org.UnitInput{ParentID: ru.ID, Kind: org.KindTeam, Name: reg.name[:len(reg.name)-len("大区")] + teamName(t), ManagerID: rm.ID})
			if err != nil {
				return "", err
			}
			for k := range g.size.RepsPerTeam {
				level := repLevels[(k+t+ri)%len(repLevels)]
				tenure := tenures[level]
				hired := g.yearsAgo(tenure[0], tenure[1])
				p, err := g.person(echelon.RoleRep, tu.ID, rm.ID, level, hired)
				if err != nil {
					return "", err
				}
				if login := map[string]*string{"senior_rep": &g.res.SeniorRep, "mid_rep": &g.res.MidRep, "junior_rep": &g.res.JuniorRep}[level]; *login == "" {
					*login = p.Email
				}
				g.reps = append(g.reps, &rep{id: p.ID, unit: tu.ID, region: ri, level: level, hired: hired, skill: 0.7 + 0.6*g.r.Float64(), won: map[int]int64{}})
			}
		}
	}
	for _, role := range []echelon.Role{echelon.RoleMarketing, echelon.RoleProduct, echelon.RoleCustomerService} {
		if _, err := g.person(role, 1, 0, "", g.yearsAgo(1, 5)); err != nil {
			return "", err
		}
	}
	if err := g.passwords(); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d people, %d units", g.res.People, g.res.Units), nil
}

// passwords gives every demo person the password Password. It is hashed
// once for all of them: hashing it per person (tens of milliseconds each,
// by design) would take minutes for thousands of people.
func (g *gen) passwords() error {
	hash, err := g.org.HashPassword(Password)
	if err != nil {
		return err
	}
	return g.d.Tx(g.ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(g.ctx, `UPDATE people SET password_hash = ? WHERE email LIKE ?`, hash, "%@"+EmailDomain); err != nil {
			return fmt.Errorf("demo: passwords: %w", err)
		}
		return nil
	})
}

// catalogue creates the products and a territory per province (for its
// region) and one by industry per region (for its most senior rep).
func (g *gen) catalogue() (string, error) {
	g.products = map[string]int64{}
	for _, p := range products {
		out, err := g.crm.CreateProduct(g.ctx, crm.ProductInput{Code: p.code, Name: p.name, Series: p.series, ListPrice: p.price * 100, Currency: "CNY"})
		if err != nil {
			return "", fmt.Errorf("demo: product %s: %w", p.code, err)
		}
		g.products[p.code] = out.ID
		g.res.Products++
	}
	perRegion := g.size.TeamsPerRegion * g.size.RepsPerTeam
	g.territories = map[string]*territory{}
	for ri, reg := range g.regions {
		for _, p := range reg.provinces {
			t, err := g.crm.CreateTerritory(g.ctx, crm.TerritoryInput{Name: reg.name[:len(reg.name)-len("大区")] + "·" + p.name, Province: p.name, UnitID: g.regionIDs[ri]})
			if err != nil {
				return "", fmt.Errorf("demo: territory %s: %w", p.name, err)
			}
			g.addTerritory(p.name+"|", &territory{id: t.ID})
			g.res.Territories++
		}
		owner := g.reps[ri*perRegion]
		for _, r := range g.reps[ri*perRegion : (ri+1)*perRegion] {
			if levelWeight[r.level] > levelWeight[owner.level] {
				owner = r
			}
		}
		p, trade := reg.provinces[0], trades[(ri*5)%len(trades)]
		t, err := g.crm.CreateTerritory(g.ctx, crm.TerritoryInput{Name: p.name + "·" + trade.industry, Province: p.name, Industry: trade.industry, PersonID: owner.id})
		if err != nil {
			return "", fmt.Errorf("demo: territory %s %s: %w", p.name, trade.industry, err)
		}
		g.addTerritory(p.name+"|"+trade.industry, &territory{id: t.ID, rep: owner})
		g.res.Territories++
	}
	return fmt.Sprintf("%d products, %d territories", g.res.Products, g.res.Territories), nil
}

// levelWeight is how much a level's reps carry, relative to a junior.
var levelWeight = map[string]float64{"junior_rep": 1, "mid_rep": 2, "senior_rep": 3}

// weighted draws indexes with probability proportional to their weights.
type weighted struct{ cum []float64 }

func newWeighted(weights []float64) *weighted {
	w := &weighted{cum: make([]float64, len(weights))}
	total := 0.0
	for i, x := range weights {
		total += x
		w.cum[i] = total
	}
	return w
}

func (w *weighted) draw(r *rand.Rand) int {
	x := r.Float64() * w.cum[len(w.cum)-1]
	return min(sort.SearchFloat64s(w.cum, x), len(w.cum)-1)
}

// logNormal draws exp(N(ln median, sigma²)).
func (g *gen) logNormal(median, sigma float64) float64 {
	return median * math.Exp(g.r.NormFloat64()*sigma)
}
