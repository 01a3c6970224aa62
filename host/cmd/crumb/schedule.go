package main

import (
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/crumb-dev/crumb/host/push"
	"github.com/crumb-dev/crumb/host/store"
)

func (a *app) scheduleCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "schedule", Short: "Scheduled jobs: list them, run one now, show past runs"}
	var asJSON bool
	ls := &cobra.Command{
		Use:   "ls",
		Short: "List the jobs: schedule, time zone, action, destination, next slot and last run",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			b := &push.Builtins{}
			jobs, err := b.Jobs(a.cfg.Schedule)
			if err != nil {
				return err
			}
			ps, closeStore, err := a.openPushStore(ctx)
			if err != nil {
				return err
			}
			defer closeStore()
			last, err := ps.LastRuns(ctx)
			if err != nil {
				return err
			}
			now := time.Now()
			leases, err := ps.JobLeases(ctx, now)
			if err != nil {
				return err
			}
			running := map[string]store.JobLease{}
			for _, l := range leases {
				running[l.Job] = l
			}
			type row struct {
				Job         string     `json:"job"`
				Cron        string     `json:"cron"`
				TimeZone    string     `json:"time_zone"`
				Action      string     `json:"action"`
				Prompt      string     `json:"prompt,omitempty"`
				Destination string     `json:"destination"`
				Grace       string     `json:"grace"`
				Next        time.Time  `json:"next"`
				Running     bool       `json:"running"`
				LastRun     *store.Run `json:"last_run,omitempty"`
			}
			var rows []row
			for _, j := range jobs {
				r := row{Job: j.Name, Cron: j.Cron, TimeZone: j.Location.String(), Action: j.ActionName, Prompt: j.Prompt,
					Destination: destString(j), Grace: j.Grace.String(), Next: j.Schedule.Next(now).In(j.Location)}
				if lr, ok := last[j.Name]; ok {
					r.LastRun = &lr
				}
				_, r.Running = running[j.Name]
				rows = append(rows, r)
			}
			if asJSON {
				return writeJSON(a.stdout, rows)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "JOB\tCRON\tTIME ZONE\tACTION\tDESTINATION\tGRACE\tNEXT\tLAST RUN")
			for _, r := range rows {
				lastRun := "never"
				if r.LastRun != nil {
					lastRun = fmt.Sprintf("%s %s (%s)", r.LastRun.StartedAt.In(scheduleZone).Format("01-02 15:04"), r.LastRun.Status, r.LastRun.Cause)
				}
				if r.Running {
					lastRun = "running now · " + lastRun
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Job, r.Cron, r.TimeZone, r.Action, r.Destination, r.Grace,
					r.Next.Format("2006-01-02 15:04 MST"), lastRun)
			}
			return tw.Flush()
		},
	}
	ls.Flags().BoolVar(&asJSON, "json", false, "print JSON")

	var runJSON bool
	run := &cobra.Command{
		Use:   "run NAME",
		Short: "Run a job now (refused while it runs elsewhere) and print its run record",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			rt, err := a.start(ctx)
			if err != nil {
				return err
			}
			defer rt.Close()
			sys, err := a.newPushSystem(rt)
			if err != nil {
				return err
			}
			r, err := sys.sched.RunNow(ctx, args[0])
			if errors.Is(err, store.ErrJobBusy) {
				return fmt.Errorf("%w: wait for it to finish (crumb schedule runs %s)", err, args[0])
			}
			if err != nil {
				return err
			}
			if err := a.printRun(r, runJSON); err != nil {
				return err
			}
			if r.Status != store.RunOK {
				return fmt.Errorf("run %d of %s %s", r.ID, r.Job, r.Status)
			}
			return nil
		},
	}
	run.Flags().BoolVar(&runJSON, "json", false, "print the run record as JSON")

	var n int
	runs := &cobra.Command{
		Use:   "runs [NAME]",
		Short: "Show past runs, newest first: start, end, status, output, error",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ps, closeStore, err := a.openPushStore(ctx)
			if err != nil {
				return err
			}
			defer closeStore()
			job := ""
			if len(args) == 1 {
				job = args[0]
			}
			list, err := ps.Runs(ctx, job, n)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, list)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "RUN\tJOB\tCAUSE\tSLOT\tSTARTED\tTOOK\tSTATUS\tOUTPUT / ERROR")
			for _, r := range list {
				slot, took := "-", "-"
				if r.ScheduledFor != nil {
					slot = r.ScheduledFor.In(scheduleZone).Format("01-02 15:04")
				}
				if r.FinishedAt != nil {
					took = r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond).String()
				}
				detail := r.Output
				if r.Error != "" {
					detail = r.Error
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Job, r.Cause, slot, r.StartedAt.In(scheduleZone).Format("01-02 15:04:05"), took, r.Status, clipText(detail, 80))
			}
			return tw.Flush()
		},
	}
	runs.Flags().IntVarP(&n, "n", "n", 20, "at most this many runs")
	runs.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(ls, run, runs)
	return cmd
}

func destString(j *push.Job) string {
	if j.Destination.Target != "" {
		return j.Destination.Kind + ":" + j.Destination.Target
	}
	return j.Destination.Kind
}
