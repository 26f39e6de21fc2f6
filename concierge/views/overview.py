from django.http import HttpResponse


def store_overview(request):
    return HttpResponse("")
