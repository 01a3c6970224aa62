// Package push owns the host's scheduled agent runs and the push pipeline.
//
// The Scheduler runs jobs on cron schedules, each in its own time zone
// (Asia/Seoul by default): built-in actions (daily_waste_push,
// nightly_retrain, weekly_vip_report) or a chat prompt run as an agent
// turn, with the result sent to a destination (Slack, the push pipeline, a
// webhook). Every run is recorded; a lease in the store keeps one run of a
// job at a time across processes; a run missed while the host was down runs
// once when the host comes back inside the job's grace period.
//
// The Pipeline moves the push queue along: pending → generating (copy per
// target segment through the push_copy tool) → ready (→ awaiting_approval
// by staff in Slack) → sending → sent, or failed, expired (the discount
// window closed) or rejected. Rows are worked on under leases, and each
// delivery is recorded per key and channel, so that a crash, a restart, a
// second run or a slow channel never sends a push twice from Crumb's side
// and never loses one. Delivery channels: the customers' feed (Feed, served
// as server-sent events by host/web), a signed webhook with retries and
// backoff (Webhook), and Slack for staff (the Approver and Notifier
// interfaces, implemented by the Slack adapter).
//
// Times come from an injected Clock, so that tests drive the scheduler and
// the pipeline without sleeping.
package push
