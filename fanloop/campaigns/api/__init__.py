"""REST API for campaigns, nested under ``/api/v1/workspaces/<workspace_pk>/``.

Thin over ``fanloop.campaigns.services`` (every write) and ``queries`` (reads): a
workspace or campaign that is not the caller's is a 404, an action the caller's role
may not do is a 403 (decided by the services), bad input is a 400 with field errors.
Money is integer fen. The modules: ``campaigns`` (campaigns, transitions, history,
export, improvements), ``items`` (goals, budget, timeline, tasks, research, risks,
feasibility, retrospective), ``documents`` (library, versions, download).
"""
