from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.learning import api, views

router = SimpleRouter()
router.register("courses", api.CourseViewSet, basename="course")
router.register("sessions", api.SessionViewSet, basename="session")
router.register("enrolments", api.EnrolmentViewSet, basename="enrolment")
router.register("learning-paths", api.LearningPathViewSet, basename="learning-path")
router.register("practice-log", api.PracticeLogViewSet, basename="practice-log")
router.register("practice-signoff", api.SignoffQueueViewSet, basename="practice-signoff")

urlpatterns = [
    path("leren/", views.my_learning, name="my-learning"),
    path("leren/dashboard/", views.dashboard, name="dashboard"),
    path("leren/cursussen/<int:course_id>/", views.course_detail, name="course-detail"),
    path("leren/sessies/<int:session_id>/", views.session_detail, name="session-detail"),
    path("leren/sessies/<int:session_id>/inschrijven/", views.enrol, name="enrol"),
    path("leren/inschrijvingen/<int:enrolment_id>/annuleren/", views.cancel, name="enrolment-cancel"),
    path("leren/inschrijvingen/<int:enrolment_id>/resultaat/", views.record_result, name="enrolment-result"),
    path("leren/leerpaden/<int:path_id>/", views.path_detail, name="path-detail"),
    path("praktijk/", views.practice_log, name="practice-log"),
    path("praktijk/aftekenen/", views.signoff_queue, name="signoff-queue"),
    path("praktijk/aftekenen/<int:record_id>/", views.signoff, name="signoff"),
]
api_urlpatterns = [*router.urls]
