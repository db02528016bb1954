"""Plans and task breakdowns (任务分解表)."""
