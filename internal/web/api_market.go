package web

import (
	"net/http"

	"github.com/echelonhq/echelon/internal/market"
)

// marketRoutes are the market-share pages and their API: market sizes
// per territory or segment and period, and the shares own won revenue
// takes of them.
func (s *Server) marketRoutes() []route {
	return append(s.marketPageRoutes(),
		route{"GET", "/api/v1/market-sizes", s.apiMarketSizes, signedIn},
		route{"POST", "/api/v1/market-sizes", s.apiSetMarketSize, signedIn},
		route{"PUT", "/api/v1/market-sizes/{id}", s.apiUpdateMarketSize, signedIn},
		route{"GET", "/api/v1/market-shares", s.apiMarketShares, signedIn},
		route{"GET", "/api/v1/market-shares/deals", s.apiMarketDeals, signedIn},
	)
}

func (s *Server) apiMarketSizes(w http.ResponseWriter, r *http.Request) error {
	q := crmQuery{r}
	tid, err := q.id("territory_id")
	if err != nil {
		return err
	}
	items, err := s.Market.Find(r.Context(), market.Filter{Period: q.str("period"), By: q.str("by"), TerritoryID: tid, Segment: q.str("segment")})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, len(items), 0, 0))
	return nil
}

// apiSetMarketSize answers 201 for a new size, 200 when the market already
// had one for the period and currency (updated, or left as it was).
func (s *Server) apiSetMarketSize(w http.ResponseWriter, r *http.Request) error {
	var in market.SizeInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, created, err := s.Market.Set(r.Context(), in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, out)
	return nil
}

func (s *Server) apiUpdateMarketSize(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, s.Market.Update)
}

func (s *Server) apiMarketShares(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	rep, err := s.Market.Shares(r.Context(), q.Get("period"), q.Get("by"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) apiMarketDeals(w http.ResponseWriter, r *http.Request) error {
	f, err := dealFilter(r)
	if err != nil {
		return err
	}
	ev, err := s.Market.Deals(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ev)
	return nil
}

// dealFilter reads which share's deals are asked for, and the page.
func dealFilter(r *http.Request) (market.DealFilter, error) {
	q := crmQuery{r}
	pg, err := q.page()
	return market.DealFilter{Period: q.str("period"), By: q.str("by"), Key: q.str("key"), Currency: q.str("currency"),
		Offset: pg.Offset, Limit: pg.Limit}, err
}
