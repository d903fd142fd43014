"""Pure logic of the lead office: responsibility rules, duty generation, business-day deadlines, escalation
ladder timing, scorecards and TLP labels. No database, HTTP, clock or environment: plain values in and out."""
