// Command service is a small HTTP front end for a price lookup backend. It is the
// gopitfix example: it compiles and mostly works, but hides the concurrency pitfalls
// gopitfix exists to fix (and a few look-alikes that are correct and must stay as is).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"time"

	"example.com/service/internal/fetch"
	"example.com/service/internal/lookup"
	"example.com/service/internal/worker"
)

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	backend := flag.String("backend", "https://prices.example.com", "backend base URL")
	flag.Parse()

	// Correct: stop is deferred right away.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	client := fetch.NewClient(*backend)
	svc := lookup.New(client)

	mux := http.NewServeMux()
	mux.HandleFunc("/price", func(w http.ResponseWriter, r *http.Request) {
		// Pitfall (defer-cancel): the cancel func is discarded, so the timer lives on
		// until the request context ends.
		reqCtx, _ := context.WithTimeout(r.Context(), 2*time.Second)
		price, err := svc.Price(reqCtx, r.URL.Query().Get("sku"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		fmt.Fprintf(w, "%.2f\n", price)
	})
	mux.HandleFunc("/ready", func(w http.ResponseWriter, r *http.Request) {
		if err := lookup.WaitReady(r.Context(), svc.Ready(), 3*time.Second); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
		}
	})
	mux.HandleFunc("/warm", func(w http.ResponseWriter, r *http.Request) {
		skus := r.URL.Query()["sku"]
		results := worker.WarmAll(r.Context(), skus, func(ctx context.Context, sku string) error {
			_, err := svc.Price(ctx, sku)
			return err
		})
		_ = json.NewEncoder(w).Encode(results)
	})

	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
