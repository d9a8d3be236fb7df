// Package echelon holds the vocabulary shared by every part of Echelon:
// roles, the signed-in actor, and the error type that services return.
package echelon

import "context"

// Role is what a person does in the sales organisation; it decides what they may see and change.
type Role string

// The roles of PRODUCT.md section 1.
const (
	RoleAdmin           Role = "admin"
	RoleSeniorManager   Role = "senior_manager"
	RoleRegionalManager Role = "regional_manager"
	RoleRep             Role = "rep"
	RoleMarketing       Role = "marketing"
	RoleProduct         Role = "product"
	RoleCustomerService Role = "customer_service"
)

// Roles lists every role in display order.
var Roles = []Role{RoleAdmin, RoleSeniorManager, RoleRegionalManager, RoleRep, RoleMarketing, RoleProduct, RoleCustomerService}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if k == r {
			return true
		}
	}
	return false
}

// IsManager reports whether the role manages an org unit and sees its subtree.
func (r Role) IsManager() bool { return r == RoleSeniorManager || r == RoleRegionalManager }

// IsPartner reports whether the role belongs to a partner department.
func (r Role) IsPartner() bool {
	return r == RoleMarketing || r == RoleProduct || r == RoleCustomerService
}

// Outranks reports whether a person with role r may appoint someone to role o.
// Admin appoints anyone; a senior manager appoints regional managers and reps;
// a regional manager appoints reps.
func (r Role) Outranks(o Role) bool {
	switch r {
	case RoleAdmin:
		return true
	case RoleSeniorManager:
		return o == RoleRegionalManager || o == RoleRep
	case RoleRegionalManager:
		return o == RoleRep
	}
	return false
}

// Actor is the signed-in person on whose behalf a service call runs.
type Actor struct {
	PersonID int64
	Name     string
	Role     Role
	// UnitID and UnitPath locate the actor's org unit; UnitPath is the
	// materialised path ("/1/4/") that subtree scope is checked against.
	UnitID   int64
	UnitPath string
	Lang     string
}

// IsAdmin reports whether the actor has the admin role.
func (a *Actor) IsAdmin() bool { return a.Role == RoleAdmin }

// SystemActor is the actor for work started by the program itself or its
// command line (first admin, demo data): an administrator with no person id.
func SystemActor(name string) *Actor { return &Actor{Role: RoleAdmin, Name: name} }

type actorKey struct{}

// NewContext returns a context carrying the actor.
func NewContext(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx, or nil when nobody is signed in.
func ActorFrom(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}
