from django.http import Http404

from apps.jobs.models import Job


def job_for_user(*, job_id, user) -> Job:
    """A job is visible to its creator and to administrators of this schema."""
    try:
        job = Job.objects.get(pk=job_id)
    except (Job.DoesNotExist, ValueError):
        raise Http404
    if job.created_by_id == user.pk or user.is_staff or user.has_role("tenant_admin", "manager", "student_admin"):
        return job
    raise Http404


def job_checkpoint_of(*, job_id) -> dict:
    """Where a resumed run of this job continues (empty for a fresh run)."""
    return Job.objects.filter(pk=job_id).values_list("checkpoint", flat=True).first() or {}
