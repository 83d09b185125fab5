// Package donechan: a producer with a stop function that closes a done channel (select-ctx-done).
package donechan

// Start returns a stream and a stop function; stop does not reach the producer's send.
func Start() (<-chan string, func()) {
	out := make(chan string)
	done := make(chan struct{})
	go func() {
		for {
			out <- "tick"
		}
	}()
	return out, func() { close(done) }
}
