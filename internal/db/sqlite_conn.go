package db

import (
	"context"
	"database/sql/driver"
	"fmt"

	"modernc.org/sqlite"
)

// SQLite compiles a statement on every call unless it is kept, and
// database/sql closes the statements of a transaction when it ends, so a
// request's queries were parsed and planned anew each time (a third of a
// page query's time). The connections below keep their compiled
// statements: preparing a query the connection has seen returns the same
// statement, and closing it leaves it ready for the next transaction.
const (
	stmtsPerConn = 256  // statements a connection keeps; later ones are compiled per use
	maxKeptQuery = 4096 // longer statements (multi-row inserts of varying size) are not kept
)

// sqliteConnector opens SQLite connections that keep their statements.
type sqliteConnector struct{ driver.Connector }

func newSQLiteConnector(dsn string) (driver.Connector, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("db: sqlite connector: %w", err)
	}
	return sqliteConnector{c}, nil
}

func (c sqliteConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &keepingConn{Conn: conn, stmts: map[string]*keptStmt{}}, nil
}

// keepingConn is a connection that keeps its prepared statements. It
// implements neither Execer nor Queryer, so database/sql prepares every
// statement, and a kept one is found again.
type keepingConn struct {
	driver.Conn
	stmts map[string]*keptStmt
}

func (c *keepingConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *keepingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	var st driver.Stmt
	var err error
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = c.Conn.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	if len(query) > maxKeptQuery || len(c.stmts) >= stmtsPerConn {
		return st, nil
	}
	k := &keptStmt{Stmt: st}
	c.stmts[query] = k
	return k, nil
}

func (c *keepingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return c.Conn.Begin() //nolint:staticcheck // the fallback database/sql itself uses
}

func (c *keepingConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *keepingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *keepingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// Close finalises the kept statements and closes the connection.
func (c *keepingConn) Close() error {
	for q, st := range c.stmts {
		_ = st.Stmt.Close() // the connection closes next; it reports what matters
		delete(c.stmts, q)
	}
	return c.Conn.Close()
}

// keptStmt is a statement its connection keeps: closing it does nothing.
type keptStmt struct{ driver.Stmt }

func (s *keptStmt) Close() error { return nil }

func (s *keptStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *keptStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}
