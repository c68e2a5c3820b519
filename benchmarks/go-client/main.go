// Command go-client drives a ratestream gateway the way the switches of the 2012 API did: Go's
// net/rpc/jsonrpc client (JSON-RPC 1.0 over TCP), CONNS connections with IN_FLIGHT calls outstanding on
// each, half Responder.GetCost of the worked example (vdf rif 0256, 2012-02-02 17:30-18:30, two spans)
// and half Responder.DebitBalance of 0.01. It needs nothing loaded beyond the demo data of
// `./ratestream dev`: -demo debits vdf:minutosu; without it, the bench-NNNNNN subjects of tenant bench
// (loaded by `ratestream bench`). Every -every it prints the calls completed in that interval and, with
// -pid, the CPU (utime + stime from /proc) of that process: cores and microseconds per call.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/rpc"
	"net/rpc/jsonrpc"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// CallDescriptor is the 2012 rater's argument, as a Go client of the time declared it.
type CallDescriptor struct {
	TOR                                int
	CstmId, Subject, DestinationPrefix string
	TimeStart, TimeEnd                 time.Time
	Amount                             float64
}

// CallCost is GetCost's answer (the fields this client reads).
type CallCost struct {
	TOR                                int
	CstmId, Subject, DestinationPrefix string
	Cost, ConnectFee                   float64
	Timespans                          []interface{}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:2001", "the gateway's JSON-RPC address")
	conns := flag.Int("c", 50, "connections")
	inFlight := flag.Int("f", 4, "calls in flight on each connection")
	duration := flag.Duration("d", 60*time.Second, "how long to run")
	every := flag.Duration("every", 10*time.Second, "report interval")
	demo := flag.Bool("demo", true, "debit vdf:minutosu of the demo data; false: bench-NNNNNN of tenant bench")
	subjects := flag.Int("subs", 1000, "bench subjects, without -demo")
	pid := flag.Int("pid", 0, "process whose CPU is reported (0: none)")
	mix := flag.String("mix", "half", "half: GetCost and DebitBalance in turn; cost: GetCost only; debit: DebitBalance only")
	flag.Parse()
	if *mix != "half" && *mix != "cost" && *mix != "debit" {
		fmt.Fprintln(os.Stderr, "-mix must be half, cost or debit")
		os.Exit(2)
	}

	var done, failed int64
	var mu sync.Mutex
	var latencies []float64
	start := time.Now()
	stop := start.Add(*duration)
	var wg sync.WaitGroup
	for c := 0; c < *conns; c++ {
		conn, err := net.Dial("tcp", *addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		client := rpc.NewClientWithCodec(jsonrpc.NewClientCodec(conn))
		for f := 0; f < *inFlight; f++ {
			wg.Add(1)
			go func(c, f int) {
				defer wg.Done()
				local := make([]float64, 0, 1<<16)
				for i := 0; time.Now().Before(stop); i++ {
					tenant, subject := "vdf", "rif"
					if !*demo {
						tenant, subject = "bench", fmt.Sprintf("bench-%06d", (c*131+f*17+i*7)%*subjects)
					}
					t0 := time.Now()
					var err error
					if *mix == "cost" || *mix == "half" && i%2 == 0 {
						var cost CallCost
						err = client.Call("Responder.GetCost", CallDescriptor{CstmId: tenant, Subject: subject,
							DestinationPrefix: "0256", TimeStart: time.Date(2012, 2, 2, 17, 30, 0, 0, time.UTC),
							TimeEnd: time.Date(2012, 2, 2, 18, 30, 0, 0, time.UTC)}, &cost)
					} else {
						if *demo {
							subject = "minutosu"
						}
						var credit float64
						err = client.Call("Responder.DebitBalance", CallDescriptor{CstmId: tenant, Subject: subject,
							Amount: 0.01}, &credit)
					}
					if err != nil && atomic.AddInt64(&failed, 1) <= 5 {
						fmt.Fprintln(os.Stderr, "error:", err)
					}
					local = append(local, float64(time.Since(t0).Microseconds())/1000)
					atomic.AddInt64(&done, 1)
				}
				mu.Lock()
				latencies = append(latencies, local...)
				mu.Unlock()
			}(c, f)
		}
	}
	go func() {
		lastCalls, lastCPU, lastAt := int64(0), cpuSeconds(*pid), start
		for time.Now().Add(*every).Before(stop.Add(time.Second)) {
			time.Sleep(time.Until(lastAt.Add(*every)))
			calls, cpu, at := atomic.LoadInt64(&done), cpuSeconds(*pid), time.Now()
			seconds := at.Sub(lastAt).Seconds()
			line := fmt.Sprintf("%5.0f-%3.0f s: %6.0f calls/s", lastAt.Sub(start).Seconds(), at.Sub(start).Seconds(),
				float64(calls-lastCalls)/seconds)
			if *pid != 0 && calls > lastCalls {
				line += fmt.Sprintf(", pid %d %.2f cores, %4.0f us/call", *pid, (cpu-lastCPU)/seconds,
					(cpu-lastCPU)*1e6/float64(calls-lastCalls))
			}
			fmt.Println(line)
			lastCalls, lastCPU, lastAt = calls, cpu, at
		}
	}()
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	sort.Float64s(latencies)
	p := func(q float64) float64 { return latencies[int(q*float64(len(latencies)-1))] }
	fmt.Printf("total: %d calls in %.1f s = %.0f calls/s, errors %d, p50 %.1f ms, p99 %.1f ms\n", len(latencies),
		elapsed, float64(len(latencies))/elapsed, failed, p(0.5), p(0.99))
}

// cpuSeconds is the CPU time (utime + stime) a process has used, from /proc/PID/stat; 0 without a pid.
func cpuSeconds(pid int) float64 {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndex(s, ")")+2:])
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	return (utime + stime) / 100 // USER_HZ
}
