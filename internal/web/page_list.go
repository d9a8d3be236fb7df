package web

import (
	"net/url"
	"strconv"
	"strings"
)

// withQuery returns the path of u with some query parameters replaced
// (pairs of name, value; an empty value removes the parameter). The flash
// message never carries over to another link.
func withQuery(u *url.URL, pairs ...string) string {
	q := u.Query()
	q.Del("flash")
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			q.Del(pairs[i])
		} else {
			q.Set(pairs[i], pairs[i+1])
		}
	}
	if len(q) == 0 {
		return u.Path
	}
	return u.Path + "?" + q.Encode()
}

// pager is the "1–50 of 123" line and its previous/next links.
type pager struct {
	From, To, Total int
	Prev, Next      string // links; empty at either end
}

// newPager describes the page of count rows starting at offset.
func newPager(u *url.URL, total, limit, offset, count int) pager {
	p := pager{Total: total}
	if count > 0 {
		p.From, p.To = offset+1, offset+count
	}
	if offset > 0 {
		prev := offset - limit
		if prev <= 0 {
			p.Prev = withQuery(u, "offset", "")
		} else {
			p.Prev = withQuery(u, "offset", strconv.Itoa(prev))
		}
	}
	if offset+count < total {
		p.Next = withQuery(u, "offset", strconv.Itoa(offset+limit))
	}
	return p
}

// column is a header of a sortable table.
type column struct {
	Label string // catalogue key
	Href  string // link that sorts by this column (toggling the direction)
	Sort  string // aria-sort value when the table is sorted by it
	Num   bool   // right-aligned numbers
}

// sortColumns builds headers for the keys (each "key" or "key:label");
// current is the sort in force ("name", "-name"), def the default.
func sortColumns(u *url.URL, current, def string, keys ...string) []column {
	if current == "" {
		current = def
	}
	key, desc := strings.CutPrefix(current, "-")
	out := make([]column, 0, len(keys))
	for _, k := range keys {
		name, label, _ := strings.Cut(k, ":")
		c := column{Label: label}
		next := name
		if name == key {
			c.Sort = "ascending"
			if desc {
				c.Sort = "descending"
			} else {
				next = "-" + name
			}
		}
		if next == def {
			next = ""
		}
		c.Href = withQuery(u, "sort", next, "offset", "")
		out = append(out, c)
	}
	return out
}
