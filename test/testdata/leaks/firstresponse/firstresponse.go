// Package firstresponse: two replicas race, the first answer wins (buffer-result-chan, 2).
package firstresponse

import "time"

func primary() string {
	time.Sleep(time.Millisecond)
	return "primary"
}

func replica() string {
	time.Sleep(20 * time.Millisecond)
	return "replica"
}

func Fastest() string {
	c := make(chan string)
	go func() { c <- primary() }()
	go func() { c <- replica() }()
	return <-c
}
