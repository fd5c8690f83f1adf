"""Running Delbar: health for the load balancer, the operators' page of queue and index state, task
workers that survive being killed, backups and restores (docs/deployment.md)."""
