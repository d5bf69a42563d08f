"""iro-ledger: an immutable record of IRO challenges, recommendations and instructions."""
