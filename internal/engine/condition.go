package engine

import (
	"strconv"
	"time"
)

// Condition is a test on the session's facts, written as data in the dialog
// files. Exactly one operator is set; All, Any and Not combine conditions.
type Condition struct {
	Var string
	// Op is one of: eq, ne, in, gt, gte, lt, lte, exists, days_ago_gt,
	// days_ago_lte. Value holds its operand (Values for "in").
	Op     string
	Value  string
	Values []string
	All    []*Condition
	Any    []*Condition
	Not    *Condition
}

// Ops lists the comparison operators the dialog language accepts.
var Ops = []string{"eq", "ne", "in", "gt", "gte", "lt", "lte", "exists", "days_ago_gt", "days_ago_lte"}

// Holds reports whether c is true for facts at time now. A missing fact
// makes every comparison false (and "exists: false" true), so authors can
// rely on the else branch for "don't know".
func (c *Condition) Holds(facts map[string]string, now time.Time) bool {
	if c == nil {
		return true
	}
	switch {
	case c.Not != nil:
		return !c.Not.Holds(facts, now)
	case c.All != nil:
		for _, s := range c.All {
			if !s.Holds(facts, now) {
				return false
			}
		}
		return true
	case c.Any != nil:
		for _, s := range c.Any {
			if s.Holds(facts, now) {
				return true
			}
		}
		return false
	}
	v, ok := facts[c.Var]
	switch c.Op {
	case "exists":
		want := c.Value != "false"
		return ok == want
	case "eq":
		return ok && v == c.Value
	case "ne":
		return ok && v != c.Value
	case "in":
		if !ok {
			return false
		}
		for _, x := range c.Values {
			if v == x {
				return true
			}
		}
		return false
	case "gt", "gte", "lt", "lte":
		a, err1 := strconv.ParseFloat(v, 64)
		b, err2 := strconv.ParseFloat(c.Value, 64)
		if !ok || err1 != nil || err2 != nil {
			return false
		}
		switch c.Op {
		case "gt":
			return a > b
		case "gte":
			return a >= b
		case "lt":
			return a < b
		default:
			return a <= b
		}
	case "days_ago_gt", "days_ago_lte":
		d, err1 := ParseDate(v)
		n, err2 := strconv.Atoi(c.Value)
		if !ok || err1 != nil || err2 != nil {
			return false
		}
		ago := DaysBetween(d, Today(now))
		if c.Op == "days_ago_gt" {
			return ago > n
		}
		return ago <= n
	}
	return false
}

// Pick returns the target of the first branch whose condition holds.
func (n Next) Pick(facts map[string]string, now time.Time) (string, bool) {
	for _, b := range n {
		if b.If.Holds(facts, now) {
			return b.To, true
		}
	}
	return "", false
}
