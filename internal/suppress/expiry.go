package suppress

import (
	"errors"
	"time"
)

// expiry is the first instant at which an exception no longer applies; the
// zero value never expires.
type expiry time.Time

// parseExpiry reads YYYY-MM-DD (valid through that day, UTC) or an RFC 3339
// time (valid until that instant).
func parseExpiry(s string) (expiry, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return expiry(t.AddDate(0, 0, 1)), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return expiry(t), nil
	}
	return expiry{}, errors.New("not a date: want YYYY-MM-DD (or RFC 3339)")
}

// ParseExpiry checks an expiry date the way exceptions read it.
func ParseExpiry(s string) error {
	_, err := parseExpiry(s)
	return err
}

func (e expiry) expired(now time.Time) bool {
	t := time.Time(e)
	return !t.IsZero() && !now.Before(t)
}
