"""Who is asking: the service's own tokens, identity providers' tokens, dashboard sessions,
revoked tokens, and the checks that stop the service running with a secret anyone knows."""
