"""Dormant revival (沉睡会员激活): the actions, jobs and figures behind tasks/models/revival.py.

- campaigns.py: drafting, opening (the pool and the spread, set-based), closing and settling;
- cases.py: attempts, guidance, reassignment, closing as lost;
- credit.py: revivals credited from purchases (import, API, job) and taken back by returns;
- ledger.py: the incentive ledger (rewards, bonuses, approval, payment, corrections);
- figures.py: the dashboard's and leaderboard's figures.
"""
