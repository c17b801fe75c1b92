package bot

import (
	"sync"
	"time"
)

// repeatLimiter decides when a repeating failure is worth another log line: the first
// time, then at most once every period, with the count of failures in between.
type repeatLimiter struct {
	every   time.Duration
	last    time.Time
	pending int
	total   int
}

// note records one failure at now and reports whether to log it, with the number of
// failures since the last line logged.
func (r *repeatLimiter) note(now time.Time) (int, bool) {
	r.pending++
	r.total++
	if !r.last.IsZero() && now.Sub(r.last) < r.every {
		return 0, false
	}
	n := r.pending
	r.last, r.pending = now, 0
	return n, true
}

// reset ends a run of failures and returns how many there were.
func (r *repeatLimiter) reset() int {
	n := r.total
	*r = repeatLimiter{every: r.every}
	return n
}

// bucket is a token bucket: up to burst tokens, one more every interval. A zero interval
// means no limit.
type bucket struct {
	mu       sync.Mutex
	burst    float64
	interval time.Duration
	tokens   float64
	last     time.Time
}

func newBucket(burst int, interval time.Duration) *bucket {
	if burst < 1 {
		burst = 1
	}
	return &bucket{burst: float64(burst), interval: interval, tokens: float64(burst)}
}

// take spends a token at now if one is there and returns 0, or returns how long until
// one will be, spending nothing.
func (b *bucket) take(now time.Time) time.Duration {
	if b.interval <= 0 {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() {
		b.tokens += float64(now.Sub(b.last)) / float64(b.interval)
		if b.tokens > b.burst {
			b.tokens = b.burst
		}
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return time.Duration((1 - b.tokens) * float64(b.interval))
}
