package engine

import (
	"strings"
	"time"
)

// Personal facts are what identifies or reaches the user: the
// complainant's details a 12315 draft asks for. They are kept only while
// the complaint needs them (the store drops them PersonalTTL after the
// first was given) and a store may encrypt them at rest.
func PersonalFact(key string) bool { return strings.HasPrefix(key, "complainant_") }

// FreeTextFact reports facts typed as free text for a draft (the merchant's
// name and address, the demand): a user may put personal data in them, so
// they are encrypted at rest like personal facts, though kept with the case.
func FreeTextFact(key string) bool {
	if PersonalFact(key) {
		return true
	}
	for ch, fields := range DraftFields {
		if ch == FiledForm {
			continue
		}
		for _, f := range fields {
			if f == key {
				return true
			}
		}
	}
	return false
}

// HasPersonal reports whether s holds a personal fact, now or in its
// history.
func HasPersonal(s Session) bool {
	has := func(m map[string]string) bool {
		for k := range m {
			if PersonalFact(k) {
				return true
			}
		}
		return false
	}
	if has(s.Facts) || s.Pending != nil && has(s.Pending.Facts) {
		return true
	}
	for _, f := range s.History {
		if has(f.Facts) {
			return true
		}
	}
	return false
}

// DropPersonal returns s without its personal facts (in its history too)
// and without PersonalSince. A draft asked for again asks for them anew.
func DropPersonal(s Session) Session {
	c := s.clone()
	drop := func(m map[string]string) {
		for k := range m {
			if PersonalFact(k) {
				delete(m, k)
			}
		}
	}
	drop(c.Facts)
	for i := range c.History {
		drop(c.History[i].Facts)
	}
	if c.Pending != nil {
		drop(c.Pending.Facts)
	}
	if c.Form != nil && PersonalFact(c.Form.Field) {
		// Mid-draft: the answers so far are gone, so is the question.
		c.Form = nil
	}
	c.PersonalSince = time.Time{}
	return c
}
