package engine

import "time"

// China is mainland China's time zone. It has had no daylight saving since
// 1991, so a fixed offset is exact and needs no tzdata in the image.
var China = time.FixedZone("CST", 8*3600)

// DateLayout is how date facts are stored.
const DateLayout = "2006-01-02"

// Today is the calendar date of now in China, at midnight China time.
func Today(now time.Time) time.Time {
	y, m, d := now.In(China).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, China)
}

// ParseDate reads a stored date fact as a China-time calendar date.
func ParseDate(s string) (time.Time, error) {
	return time.ParseInLocation(DateLayout, s, China)
}

// DaysBetween counts calendar days from a to b (negative if b is earlier).
func DaysBetween(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	// Dates at UTC midnight divide exactly by 24h.
	ua := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	ub := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua).Hours() / 24)
}
