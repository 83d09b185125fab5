// Package earlyreturn: the parent returns on an error before it receives (buffer-result-chan).
package earlyreturn

import (
	"errors"
	"time"
)

func load() error {
	time.Sleep(10 * time.Millisecond)
	return nil
}

func Prepare(valid bool) error {
	errc := make(chan error)
	go func() {
		errc <- load()
	}()
	if !valid {
		return errors.New("invalid input")
	}
	return <-errc
}
